package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one mapping from engine outcomes to HTTP: the client's faults are 4xx, the server's and the Hub's 5xx. */
class JobFailureHttpTest {

    static ApiException http(JobFailure.Kind kind, int retryAfter) {
        return ApiException.of(new JobFailure(kind, "because " + kind, retryAfter));
    }

    @Test
    void everyKindHasItsStatusReasonAndRetryAdvice() {
        assertThat(http(JobFailure.Kind.BAD_REQUEST, 0)).extracting(ApiException::status, ApiException::reason,
                ApiException::retryAfterSeconds).containsExactly(400, "bad_request", 0);
        assertThat(http(JobFailure.Kind.UNKNOWN_MODEL, 0)).extracting(ApiException::status, ApiException::reason)
                .containsExactly(400, "bad_request");
        assertThat(http(JobFailure.Kind.OVERLOADED, 12)).extracting(ApiException::status, ApiException::reason,
                ApiException::retryAfterSeconds).containsExactly(429, "queue_full", 12);
        // a full queue always says when to come back
        assertThat(http(JobFailure.Kind.OVERLOADED, 0).retryAfterSeconds()).isEqualTo(1);
        assertThat(http(JobFailure.Kind.SHUTTING_DOWN, 30)).extracting(ApiException::status, ApiException::reason,
                ApiException::retryAfterSeconds).containsExactly(503, "shutting_down", 30);
        assertThat(http(JobFailure.Kind.CANCELLED, 0)).extracting(ApiException::status, ApiException::reason)
                .containsExactly(503, "cancelled");
        assertThat(http(JobFailure.Kind.MODEL_FAILURE, 0)).extracting(ApiException::status, ApiException::reason,
                ApiException::retryAfterSeconds).containsExactly(500, "internal_error", 0);
        assertThat(http(JobFailure.Kind.UPSTREAM, 0)).extracting(ApiException::status, ApiException::reason)
                .containsExactly(502, "upstream_error");
    }

    @Test
    void onlyTheClientsFaultsAre4xxAndTheMessageIsKept() {
        for (JobFailure.Kind k : JobFailure.Kind.values()) {
            ApiException e = http(k, 5);
            assertThat(e.status() < 500).as(k.name()).isEqualTo(k.clientFault() || k == JobFailure.Kind.OVERLOADED);
            assertThat(e.getMessage()).isEqualTo("because " + k);
        }
        assertThat(JobFailure.Kind.MODEL_FAILURE.clientFault()).isFalse();
        assertThat(JobFailure.Kind.UPSTREAM.clientFault()).isFalse();
        assertThat(JobFailure.Kind.BAD_REQUEST.clientFault()).isTrue();
    }

    @Test
    void theAsyncStatusCarriesTheSameMeaning() {
        var o = SegmindApi.failureJson(TestHttp.JSON, JobFailure.of(JobFailure.Kind.MODEL_FAILURE, "file truncated"));
        assertThat(o.get("kind").asText()).isEqualTo("model_failure");
        assertThat(o.get("status").asInt()).isEqualTo(500);
        assertThat(o.get("reason").asText()).isEqualTo("internal_error");
        assertThat(o.get("client_error").asBoolean()).isFalse();
        assertThat(o.get("message").asText()).isEqualTo("file truncated");
    }
}
