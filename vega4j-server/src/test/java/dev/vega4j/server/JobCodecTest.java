package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.schedulers.PredictionType;
import dev.vega4j.schedulers.SchedulerOverrides;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A job's request as the store keeps it for a worker elsewhere: everything that changes the image must come back, or
 * a store-backed server would silently give another picture than the embedded one.
 */
class JobCodecTest {
    private final JobCodec codec = new JobCodec(TestHttp.JSON);

    @Test
    void schedulerOverridesAndTheAutoencoderSurviveTheStore() {
        GenerationRequest r = GenerationRequest.builder("a fox").negativePrompt("blurry").steps(7).seed(11)
                .guidanceScale(5.5).guidanceRescale(0.7).scheduler("Euler a").size(64, 48)
                .schedulerOverrides(new SchedulerOverrides(PredictionType.V_PREDICTION, true)).build();
        JobOptions options = new JobOptions(List.of(), true, "a fox", null, "taesd");
        JobCodec.Stored back = codec.request(codec.request(r, options, Images.Format.PNG));
        assertThat(back.request()).isEqualTo(r);
        assertThat(back.options()).isEqualTo(options);
        assertThat(back.format()).isEqualTo(Images.Format.PNG);
    }

    @Test
    void absentOverridesStayAbsent() {
        GenerationRequest r = GenerationRequest.builder("a fox").steps(3).seed(1).size(64, 64)
                .schedulerOverrides(new SchedulerOverrides(null, false)).build();
        GenerationRequest back = codec.request(codec.request(r, JobOptions.NONE, Images.Format.JPEG)).request();
        assertThat(back.schedulerOverrides()).isEqualTo(new SchedulerOverrides(null, false));
        GenerationRequest plain = GenerationRequest.builder("a fox").steps(3).seed(1).size(64, 64).build();
        assertThat(codec.request(codec.request(plain, JobOptions.NONE, Images.Format.JPEG)).request()
                .schedulerOverrides()).isEqualTo(SchedulerOverrides.NONE);
    }
}
