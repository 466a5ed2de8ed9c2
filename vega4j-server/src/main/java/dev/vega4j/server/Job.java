package dev.vega4j.server;

import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * One generation from submission to its final state. State moves only forward (QUEUED -> PROCESSING -> COMPLETED |
 * FAILED, or QUEUED -> FAILED); {@link #finish} wins once, so a job can never be completed twice or lost between the
 * queue and the worker. Observers wait on {@link #awaitChange} (server-sent events) or {@link #done()}.
 */
public final class Job {
    private final String id;
    private final String model;
    private final GenerationRequest request;
    private final JobOptions options;
    private final String owner;
    private final int credits;
    private final long createdMillis;
    private final Cancellation cancellation = new Cancellation();
    private final CompletableFuture<Job> done = new CompletableFuture<>();
    private final Images.Format format;
    private List<byte[]> encoded;

    private JobState state = JobState.QUEUED;
    private int step;
    private int total;
    private long startedMillis;
    private long finishedMillis;
    private GenerationResult result;
    private JobFailure failure;
    private long version;
    private volatile String cancelReason;
    /** The latest live preview of a running job, a {@code data:image/jpeg;base64,...} URL; null before the first. */
    private String preview;

    Job(String id, String model, GenerationRequest request, String owner, int credits, long createdMillis,
            Images.Format format) {
        this(id, model, request, JobOptions.NONE, owner, credits, createdMillis, format);
    }

    Job(String id, String model, GenerationRequest request, JobOptions options, String owner, int credits,
            long createdMillis, Images.Format format) {
        this.id = id;
        this.options = options;
        this.format = format;
        this.model = model;
        this.request = request;
        this.owner = owner;
        this.credits = credits;
        this.createdMillis = createdMillis;
        this.total = request.steps();
    }

    public String id() { return id; }
    public String model() { return model; }
    public GenerationRequest request() { return request; }
    /** The LoRA adapters and prompt handling of this job. */
    JobOptions options() { return options; }
    /** The API key that submitted the job (null when the server has no keys). */
    public String owner() { return owner; }
    int credits() { return credits; }
    public long createdMillis() { return createdMillis; }
    Cancellation cancellation() { return cancellation; }
    /** Completes (never exceptionally) when the job reaches a final state. */
    public CompletableFuture<Job> done() { return done; }

    Images.Format format() { return format; }

    /** Asks the pipeline to stop at its next step check, remembering why (reported as the job's error). */
    void cancel(String why) {
        if (cancelReason == null) {
            cancelReason = why;
        }
        cancellation.cancel();
    }

    String cancelReason() {
        return cancelReason == null ? "cancelled" : cancelReason;
    }

    public synchronized JobState state() { return state; }
    public synchronized int step() { return step; }
    public synchronized int total() { return total; }
    public synchronized long startedMillis() { return startedMillis; }
    public synchronized long finishedMillis() { return finishedMillis; }
    public synchronized GenerationResult result() { return result; }
    /** The failure's message of a FAILED job, null otherwise. */
    public synchronized String error() { return failure == null ? null : failure.message(); }
    /** Why a FAILED job failed (whose fault, what to do), null otherwise. */
    public synchronized JobFailure failure() { return failure; }

    synchronized boolean start(long now) {
        if (state != JobState.QUEUED) {
            return false;
        }
        state = JobState.PROCESSING;
        startedMillis = now;
        changed();
        return true;
    }

    /** The latest live preview (a JPEG data URL, at most 256 px) while the job runs; null otherwise. */
    public synchronized String preview() {
        return state == JobState.PROCESSING ? preview : null;
    }

    /**
     * Replaces the live preview of a running job (observers are woken like on progress); the same preview again, as a
     * store-backed mirror sees it on every update of its row, changes nothing and wakes nobody.
     */
    synchronized void preview(String dataUrl) {
        if (state == JobState.PROCESSING && !Objects.equals(preview, dataUrl)) {
            this.preview = dataUrl;
            changed();
        }
    }

    synchronized void progress(int step, int total) {
        if (state == JobState.PROCESSING) {
            this.step = step;
            this.total = total;
            changed();
        }
    }

    /**
     * Moves to a final state: COMPLETED with {@code result}, or FAILED with {@code failure} (exactly one is non-null);
     * false (and nothing changes) when the job had already finished.
     */
    boolean finish(GenerationResult result, JobFailure failure, long now) {
        if ((result == null) == (failure == null)) {
            throw new IllegalArgumentException("a job finishes with a result or a failure");
        }
        synchronized (this) {
            if (state.isFinal()) {
                return false;
            }
            this.state = result != null ? JobState.COMPLETED : JobState.FAILED;
            this.result = result;
            this.failure = failure;
            this.finishedMillis = now;
            if (result != null) {
                step = total;
            }
            changed();
        }
        done.complete(this);
        return true;
    }

    /**
     * Completes a job whose images were encoded elsewhere (by a worker of the shared store, {@link StoreJobs}): the
     * images as the client gets them, and the parameters and time the worker reported.
     */
    boolean completeEncoded(List<byte[]> images, GenerationResult.UsedParameters parameters, long elapsedMillis,
            long now) {
        synchronized (this) {
            if (state.isFinal()) {
                return false;
            }
            encoded = List.copyOf(images);
        }
        return finish(new GenerationResult(List.of(), parameters, elapsedMillis), null, now);
    }

    private void changed() {
        version++;
        notifyAll();
    }

    /**
     * The result's images in the job's output format (PNG with the A1111 {@code parameters} chunk, or JPEG), encoded
     * once and kept, since status polls and event streams ask for them repeatedly.
     */
    public synchronized List<byte[]> encodedImages() {
        if (result == null) {
            return List.of();
        }
        if (encoded == null) {
            List<byte[]> list = new ArrayList<>();
            String info = infotext();
            for (var img : result.images()) {
                list.add(Images.encode(img, format, info));
            }
            encoded = List.copyOf(list);
        }
        return encoded;
    }

    /**
     * AUTOMATIC1111's infotext of the result: the pipeline's, with the prompts as the client wrote them (A1111 keeps
     * {@code <lora:...>} tags there; a Segmind request's adapters are added as such tags) and, when adapters were
     * applied, A1111's {@code Lora hashes: "name: hash, ..."}. Null before the job completed.
     */
    public synchronized String infotext() {
        if (result == null) {
            return null;
        }
        GenerationResult.UsedParameters p = result.parameters();
        if (options.plain()) {
            return p.a1111Infotext();
        }
        String prompt = options.infotextPrompt() != null ? options.infotextPrompt() : p.prompt();
        String negative = options.infotextNegative() != null ? options.infotextNegative() : p.negativePrompt();
        String text = new GenerationResult.UsedParameters(prompt, negative, p.steps(), p.guidanceScale(), p.seed(),
                p.scheduler(), p.width(), p.height(), p.samples(), p.model(), p.strength()).a1111Infotext();
        java.util.LinkedHashMap<String, String> hashes = new java.util.LinkedHashMap<>();
        for (LoraUse u : options.loras()) {
            hashes.putIfAbsent(u.name(), u.hash());
        }
        if (!hashes.isEmpty()) {
            StringBuilder sb = new StringBuilder(text).append(", Lora hashes: \"");
            String sep = "";
            for (var e : hashes.entrySet()) {
                sb.append(sep).append(e.getKey().replace(",", "")).append(": ").append(e.getValue());
                sep = ", ";
            }
            text = sb.append('"').toString();
        }
        return text;
    }

    public synchronized long version() {
        return version;
    }

    /** Waits until the job changed after {@code seenVersion} or the timeout passed; returns the current version. */
    public synchronized long awaitChange(long seenVersion, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (version == seenVersion && !state.isFinal()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return version;
    }
}
