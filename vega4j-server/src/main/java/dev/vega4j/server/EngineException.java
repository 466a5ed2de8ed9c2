package dev.vega4j.server;

import dev.vega4j.VegaException;

/**
 * The engine refuses a request ({@link GenerationEngine#submit}): the {@link JobFailure} says why, in outcomes, and the
 * HTTP layer maps it to a status. Failures of accepted jobs are not thrown but stored on the {@link Job}.
 */
public final class EngineException extends VegaException {
    private final JobFailure failure;

    public EngineException(JobFailure failure) {
        super(failure.message());
        this.failure = failure;
    }

    public EngineException(JobFailure.Kind kind, String message) {
        this(JobFailure.of(kind, message));
    }

    public JobFailure failure() {
        return failure;
    }
}
