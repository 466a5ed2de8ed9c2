package dev.vega4j.server;

import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.Pipeline;
import java.util.Map;
import java.util.Optional;

/**
 * Where the APIs send jobs and find them again: the {@link GenerationEngine} of this process (the embedded default),
 * or the shared store of {@code vega serve --store} ({@link StoreJobs}), where workers elsewhere run them.
 */
interface JobService {
    /** The served models by slug, in order (the first is the default), with what clients may ask of them. */
    Map<String, Pipeline.ModelInfo> models();

    /** Throws 404 (no such model) or 503 (known, but nobody serves it now) unless {@code model} can take jobs. */
    default void requireModel(String model) {
        if (!models().containsKey(model)) {
            throw new ApiException(404, "not_found", "no model '" + model + "' on this server; loaded: "
                    + String.join(", ", models().keySet()));
        }
    }

    String defaultModel();

    /** The LoRA adapters requests may name. */
    LoraLibrary loras();

    /** Whether {@code model} can encode prompts the AUTOMATIC1111 way. */
    boolean promptWeighting(String model);

    /** Whether {@code model} takes per-request LoRA adapters. */
    boolean takesLora(String model);

    /** Queues a job; refuses with an {@link EngineException} (the request's fault, a full queue, shutting down). */
    Job submit(String model, GenerationRequest request, JobOptions options, String owner, int credits,
            Images.Format format);

    /**
     * Charges {@code credits} to {@code owner} in {@code ledger} and queues the job; the credits come back when it is
     * refused or fails. Returns the job and the credits left (-1 = unlimited).
     */
    default Generations.Submitted submitCharged(CreditLedger ledger, String model, GenerationRequest request,
            JobOptions options, String owner, int credits, Images.Format format) {
        long remaining = ledger.reserve(owner, credits);
        Job job;
        try {
            job = submit(model, request, options, owner, credits, format);
        } catch (RuntimeException e) {
            ledger.refund(owner, credits);
            throw e;
        }
        ledger.refundIfFails(job);
        return new Generations.Submitted(job, remaining);
    }

    Optional<Job> find(String id);

    /** The job running (the oldest running one where several workers run), if any. */
    Optional<Job> current();

    int queueDepth();

    /** 1-based place in the queue (0 = running or finished). */
    int position(Job job);

    double averageJobSeconds();

    /** Stops the job: a queued one fails at once, a running one at the pipeline's next step check. */
    void cancel(Job job, String why);

    boolean isAccepting();

    /** How long a synchronous request waits for its job before it is cancelled (null: until it ends). */
    default java.time.Duration syncTimeout() {
        return null;
    }
}
