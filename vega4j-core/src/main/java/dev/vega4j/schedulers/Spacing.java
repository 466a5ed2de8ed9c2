package dev.vega4j.schedulers;

import dev.vega4j.InvalidRequestException;
import dev.vega4j.VegaException;

/**
 * The timestep grids of diffusers' {@code set_timesteps} for each {@code timestep_spacing}, computed with numpy's exact
 * semantics ({@code np.arange} with a float step fills {@code start + i*delta}, {@code np.round} rounds half to even).
 * Table 2 of "Common Diffusion Noise Schedules and Sample Steps are Flawed" (Lin et al. 2023) describes the three
 * spacings.
 */
final class Spacing {
    private Spacing() {}

    /** {@code np.arange(start, stop, step)} for float arguments. */
    static double[] arange(double start, double stop, double step) {
        int len = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] out = new double[len];
        if (len == 0) {
            return out;
        }
        out[0] = start;
        if (len > 1) {
            out[1] = start + step;
            double delta = out[1] - start;
            for (int i = 2; i < len; i++) {
                out[i] = start + i * delta;
            }
        }
        return out;
    }

    static double[] reverse(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[a.length - 1 - i];
        }
        return out;
    }

    static double[] rint(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.rint(a[i]);
        }
        return out;
    }

    static double[] toFloat32(double[] a) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) a[i];
        }
        return out;
    }

    static void checkSteps(int n, int numTrain) {
        if (n < 1) {
            throw new InvalidRequestException("number of inference steps must be at least 1, got " + n);
        }
        if (n > numTrain) {
            throw new InvalidRequestException("number of inference steps (" + n + ") cannot exceed"
                    + " num_train_timesteps (" + numTrain + ")");
        }
    }

    /**
     * DDIM, DDPM and PNDM look up {@code alphas_cumprod[t]} at every timestep t. With leading spacing the largest is
     * {@code (n-1)*(N//n) + steps_offset}, which reaches N for some step counts (Stable Diffusion 1.5: steps_offset 1
     * and 1000 steps), where diffusers' {@code step()} fails with an IndexError. Fail the same way but at
     * {@code set_timesteps}, before any model call, and say which step counts this config allows.
     *
     * @param minSteps the smallest count the scheduler takes at all (PNDM with Runge-Kutta warm-up: 4); counts
     *                 outside [minSteps, N] are left to the scheduler's own checks
     */
    static void checkIndexable(String scheduler, TimestepSpacing spacing, int n, int minSteps, int numTrain, int stepsOffset) {
        if (spacing != TimestepSpacing.LEADING || n < minSteps || n > numTrain
                || lastLeading(n, numTrain, stepsOffset) < numTrain) {
            return;
        }
        int max = 0;
        java.util.List<Integer> gaps = new java.util.ArrayList<>();
        for (int m = minSteps; m <= numTrain; m++) {
            if (lastLeading(m, numTrain, stepsOffset) < numTrain) {
                max = m;
            }
        }
        for (int m = minSteps; m < max; m++) {
            if (lastLeading(m, numTrain, stepsOffset) >= numTrain) {
                gaps.add(m);
            }
        }
        String allowed = max == 0 ? "no step count"
                : gaps.isEmpty() ? minSteps + " to " + max + " inference steps"
                : minSteps + " to " + max + " inference steps except " + gaps.stream().map(String::valueOf)
                        .collect(java.util.stream.Collectors.joining(", "));
        throw new InvalidRequestException(scheduler + " with timestep_spacing \"leading\", steps_offset " + stepsOffset
                + " and num_train_timesteps " + numTrain + " allows " + allowed + ", not " + n + ": its last"
                + " timestep would be " + lastLeading(n, numTrain, stepsOffset) + ", past the last training timestep "
                + (numTrain - 1));
    }

    /** The largest leading-spacing timestep: {@code (n-1)*(N//n) + steps_offset}. */
    private static long lastLeading(int n, int numTrain, int stepsOffset) {
        return (long) (n - 1) * (numTrain / n) + stepsOffset;
    }

    /**
     * Euler/Heun/LMS/KDPM2 family: float timesteps, descending. linspace {@code np.linspace(0, N-1, n)}, leading
     * {@code arange(n)*(N//n) + offset}, trailing {@code round(arange(N, 0, -N/n)) - 1}.
     */
    static double[] kDiffusion(TimestepSpacing spacing, int numTrain, int n, int stepsOffset) {
        checkSteps(n, numTrain);
        return switch (spacing) {
            case LINSPACE -> reverse(NoiseSchedule.linspace(0, numTrain - 1, n));
            case LEADING -> {
                int ratio = numTrain / n;
                double[] t = new double[n];
                for (int i = 0; i < n; i++) {
                    t[i] = (double) (n - 1 - i) * ratio + stepsOffset;
                }
                yield t;
            }
            case TRAILING -> {
                double[] t = rint(arange(numTrain, 0, -(double) numTrain / n));
                for (int i = 0; i < t.length; i++) {
                    t[i] -= 1;
                }
                yield t;
            }
        };
    }

    /** DDIM/DDPM: integer timesteps, descending ({@code linspace(0, N-1, n).round()} for linspace). */
    static double[] ddim(TimestepSpacing spacing, int numTrain, int n, int stepsOffset) {
        checkSteps(n, numTrain);
        return switch (spacing) {
            case LINSPACE -> reverse(rint(NoiseSchedule.linspace(0, numTrain - 1, n)));
            case LEADING, TRAILING -> kDiffusion(spacing, numTrain, n, stepsOffset);
        };
    }

    /**
     * DPM-Solver multistep / UniPC: n+1 grid points, the last (0) dropped; {@code lastTimestep} = N minus the
     * lambda_min_clipped cut.
     */
    static double[] multistep(TimestepSpacing spacing, int numTrain, int lastTimestep, int n, int stepsOffset) {
        checkSteps(n, numTrain);
        return switch (spacing) {
            case LINSPACE -> {
                double[] t = reverse(rint(NoiseSchedule.linspace(0, lastTimestep - 1, n + 1)));
                yield java.util.Arrays.copyOf(t, n);
            }
            case LEADING -> {
                int ratio = lastTimestep / (n + 1);
                double[] t = new double[n];
                for (int i = 0; i < n; i++) {
                    t[i] = (double) (n - i) * ratio + stepsOffset;
                }
                yield t;
            }
            case TRAILING -> {
                double[] t = rint(arange(lastTimestep, 0, -(double) numTrain / n));
                for (int i = 0; i < t.length; i++) {
                    t[i] -= 1;
                }
                yield t;
            }
        };
    }
}
