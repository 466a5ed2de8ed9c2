package dev.vega4j.server;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.VegaException;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.schedulers.PredictionType;
import dev.vega4j.schedulers.SchedulerOverrides;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * What every API does around the engine: authenticate, rate-limit, charge credits (refunded when the job fails), pick
 * the random seed, submit, and for synchronous APIs wait while watching the client's connection.
 */
final class Generations {
    private final ServerConfig config;
    private final JobService engine;
    private final CreditLedger quotas;
    private final RateLimit limiter;

    Generations(ServerConfig config, JobService engine, CreditLedger quotas, RateLimit limiter) {
        this.config = config;
        this.engine = engine;
        this.quotas = quotas;
        this.limiter = limiter;
    }

    ServerConfig config() {
        return config;
    }

    JobService engine() {
        return engine;
    }

    CreditLedger quotas() {
        return quotas;
    }

    /**
     * The caller's key from {@code x-api-key} or {@code Authorization: Bearer} (OpenAI clients), or for GET requests
     * the {@code key} query parameter (browsers' EventSource cannot set headers). 401 when missing or unknown.
     */
    Caller authenticate(Context ctx) {
        if (!config.authRequired()) {
            return Caller.LOCAL;
        }
        String key = ctx.header("x-api-key");
        if (key == null) {
            String auth = ctx.header("Authorization");
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                key = auth.substring(7).strip();
            }
        }
        if (key == null && "GET".equals(ctx.method().name())) {
            key = ctx.queryParam("key");
        }
        if (key == null || key.isBlank()) {
            throw new ApiException(401, "unauthorized",
                    "missing API key: send it in the x-api-key header (or Authorization: Bearer <key>)");
        }
        String matched = config.keys().match(key.strip());
        if (matched == null) {
            throw new ApiException(401, "unauthorized", "invalid API key");
        }
        return new Caller(matched);
    }

    void rateLimit(Caller caller) {
        limiter.acquire(caller.key());
    }

    /**
     * Reads the body with a hard cap: Content-Length above the cap is refused before reading, and a chunked body is
     * cut off as soon as it passes it, so no client can make the server buffer more than {@code maxBodyBytes}.
     */
    byte[] body(Context ctx) {
        long max = config.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw tooLarge(max);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 256), max));
            byte[] buf = new byte[16384];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > max) {
                    throw tooLarge(max);
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw ApiException.badRequest("the request body could not be read: " + e.getMessage());
        }
    }

    private static ApiException tooLarge(long max) {
        return new ApiException(413, "payload_too_large", "the request body is larger than the server's limit of "
                + max + " bytes");
    }

    /** Checks an image side against the configured bounds; null stays null (the model's default). */
    Integer side(String field, Integer v) {
        if (v == null) {
            return null;
        }
        if (v < config.minSide() || v > config.maxSide()) {
            throw ApiException.badRequest(field + " must be between " + config.minSide() + " and "
                    + config.maxSide() + " pixels, got " + v);
        }
        if (v % 8 != 0) {
            throw ApiException.badRequest(field + " must be a multiple of 8, got " + v);
        }
        return v;
    }

    /**
     * The sampling fields every API has under its own names, read in this order (so the first bad one is reported):
     * steps (1 to max_steps), guidance scale (0 to 30) and seed; absent ones keep the model's defaults.
     */
    void sampling(Fields f, GenerationRequest.Builder b, String stepsField, String guidanceField) {
        Integer steps = f.integer(stepsField, 1, config.maxSteps());
        if (steps != null) {
            b.steps(steps);
        }
        Double cfg = f.number(guidanceField, 0, 30);
        if (cfg != null) {
            b.guidanceScale(cfg);
        }
        Long seed = f.seed("seed");
        if (seed != null) {
            b.seed(seed);
        }
    }

    /** A scheduler (sampler) name from {@code field}, checked against the supported ones; absent keeps the default. */
    static void scheduler(Fields f, GenerationRequest.Builder b, String field) {
        String name = f.string(field);
        if (name != null) {
            b.scheduler(SchedulerNames.check(field, name));
        }
    }

    /**
     * The optional fields {@code prediction_type} (epsilon, v_prediction, sample) and {@code rescale_betas_zero_snr}
     * (diffusers' config keys): they replace the model's scheduler config keys for this request, like {@code vega
     * generate --prediction-type / --zero-snr}.
     */
    static void schedulerOverrides(Fields f, GenerationRequest.Builder b) {
        String prediction = f.string("prediction_type");
        PredictionType type = null;
        if (prediction != null) {
            try {
                type = PredictionType.parse(prediction.strip());
            } catch (VegaException e) {
                throw ApiException.badRequest(e.getMessage());
            }
        }
        Boolean zeroSnr = f.bool("rescale_betas_zero_snr");
        if (type != null || zeroSnr != null) {
            b.schedulerOverrides(new SchedulerOverrides(type, zeroSnr));
        }
    }

    /** Builds the request; the record's own checks (shared with the CLI) become 400s. */
    static GenerationRequest build(GenerationRequest.Builder b) {
        try {
            return b.build();
        } catch (InvalidRequestException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** The result of a submission: the job and the caller's credits left (-1 = unlimited). */
    record Submitted(Job job, long remainingCredits) {}

    /**
     * Charges the credits, picks a concrete seed for -1 (so the seed is known while the job is still queued and can
     * be reported even if the job fails), and queues the job; credits come back when the job fails or is refused.
     * A refusal is the engine's {@link EngineException}, which {@link VegaServer} answers via {@link ApiException#of}.
     */
    Submitted submit(Caller caller, String model, GenerationRequest request, Images.Format format) {
        return submit(caller, model, request, JobOptions.NONE, format);
    }

    /** As above, with LoRA adapters and prompt handling for this job. */
    Submitted submit(Caller caller, String model, GenerationRequest request, JobOptions options,
            Images.Format format) {
        if (request.seed() == -1) {
            // 32-bit like AUTOMATIC1111's random seeds, so they can be typed back into any UI.
            request = request.toBuilder().seed(ThreadLocalRandom.current().nextLong(1L << 32)).build();
        }
        return engine.submitCharged(quotas, model, request, options, caller.key(), request.samples(), format);
    }

    /**
     * Waits for a synchronous job. Returns null when the client disconnected (the job is then cancelled between
     * steps, or dropped from the queue, and nothing should be written); throws the job's error when it failed.
     */
    Job awaitSync(Context ctx, Job job) {
        BooleanSupplier gone = ClientConnection.disconnectProbe(ctx.req());
        java.time.Duration limit = engine.syncTimeout();
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                job.done().get(200, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                if (gone.getAsBoolean()) {
                    engine.cancel(job, "cancelled: the client disconnected");
                    return null;
                }
                if (System.nanoTime() - deadline > 0) {
                    String why = "no worker finished the job within " + limit.toSeconds() + " s";
                    engine.cancel(job, "cancelled: " + why);
                    throw new ApiException(504, "timeout", why + "; it was cancelled (try the async /v2 API)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                engine.cancel(job, "cancelled: the server is stopping");
                throw new ApiException(503, "shutting_down", "the server is shutting down");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        if (job.state() == JobState.FAILED) {
            throw ApiException.of(job.failure());
        }
        return job;
    }

    /**
     * Submits and waits, for the synchronous endpoints. Returns null when the client disconnected (write nothing);
     * otherwise the finished job, with the credits and seed headers already set.
     */
    Job runSync(Context ctx, Caller caller, String model, GenerationRequest request, Images.Format format) {
        return runSync(ctx, caller, model, request, JobOptions.NONE, format);
    }

    /** As above, with LoRA adapters and prompt handling for this job. */
    Job runSync(Context ctx, Caller caller, String model, GenerationRequest request, JobOptions options,
            Images.Format format) {
        Job job = awaitSync(ctx, submit(caller, model, request, options, format).job());
        if (job == null) {
            return null;
        }
        creditsHeader(ctx, quotas.remaining(caller.key()));
        seedHeader(ctx, job);
        return job;
    }

    /** Sets {@code x-seed}: the concrete seed of the job, also when the request asked for a random one. */
    static void seedHeader(Context ctx, Job job) {
        ctx.header("x-seed", Long.toUnsignedString(job.request().seed()));
    }

    static String reasonFor(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 404 -> "not_found";
            case 406 -> "credits_exhausted";
            case 413 -> "payload_too_large";
            case 429 -> "too_many_requests";
            case 502 -> "upstream_error";
            case 503 -> "unavailable";
            default -> "internal_error";
        };
    }

    /** Sets {@code x-remaining-credits} when the key has a quota. */
    static void creditsHeader(Context ctx, long remaining) {
        if (remaining >= 0) {
            ctx.header("x-remaining-credits", Long.toString(remaining));
        }
    }
}
