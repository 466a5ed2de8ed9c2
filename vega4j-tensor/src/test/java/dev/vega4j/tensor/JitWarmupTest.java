package dev.vega4j.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The warm-up runs every op kind it lists without error, and gives the same result as the oracle's ops. */
class JitWarmupTest {

    @Test
    void theWarmupWorkloadRunsOnTheFastOpsAndAgreesWithTheReference() {
        double fast = JitWarmup.run(new VectorOps(1), 2);
        double reference = JitWarmup.run(new ReferenceOps(), 2);
        assertThat(fast).isFinite().isNotZero();
        assertThat(fast).isCloseTo(reference, org.assertj.core.data.Offset.offset(1e-3 * Math.abs(reference) + 1e-4));
    }

    @Test
    void theSwitchTurnsTheBackgroundWarmupOff() {
        // surefire runs with -Dvega.jitWarmup=false: starting it is then a no-op that returns at once
        assertThat(Switches.get().jitWarmup()).isFalse();
        JitWarmup.startInBackground();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("vega-jit-warmup"));
        assertThat(Switches.parse(java.util.Map.of()).jitWarmup()).isTrue();
    }
}
