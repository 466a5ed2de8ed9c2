package dev.vega4j.schedulers;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NumpyLogTest {
    @Test
    void matchesNumpyFloat32LogIncludingWhereItIsNotCorrectlyRounded() {
        // values printed by numpy (SIMD float32 log); the first four differ from the correctly rounded logarithm
        float[][] cases = {
            {0.8290607333183289f, -0.18746185302734375f},
            {3.5213558673858643f, 1.2588460445404053f},
            {0.5761102437973022f, -0.5514562726020813f},
            {4.550880432128906f, 1.5153207778930664f},
            {14.614646911621094f, 2.6820242404937744f},
            {0.029167532920837402f, -3.534698963165283f},
        };
        for (float[] c : cases) {
            assertThat(NumpyLog.log(c[0])).as("log(%s)", c[0]).isEqualTo(c[1]);
        }
        assertThat(NumpyLog.log(0f)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(NumpyLog.log(-1f)).isNaN();
        assertThat(NumpyLog.log(1f)).isEqualTo(0f);
    }
}
