package dev.vega4j.fuzz;

import java.lang.management.ManagementFactory;

/**
 * The contract every fuzz target checks: the code under test returns, or throws the module's own exception type with a
 * readable message, and allocates no more than a stated bound for one input (all threads of the JVM: a server target's work runs
 * on the server's threads). Anything else (another exception, an
 * empty message, an allocation beyond the bound) is a finding: Jazzer saves the input as a reproducer.
 */
final class Contract {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Contract() {}

    static final long MB = 1024L * 1024;

    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body}: it may only return or throw {@code allowed} (null: nothing) with a message, within
     * {@code maxBytes}. The body must be repeatable: an input over the bound is run a second time.
     */
    static void check(Class<? extends Throwable> allowed, long maxBytes, Body body) {
        long used = once(allowed, body);
        if (used > maxBytes) {
            // the first run of a code path also pays for class loading, instrumentation and the JIT: measure again
            used = once(allowed, body);
            if (used > maxBytes) {
                throw new AssertionError("one input allocated " + used / MB + " MB, the bound is " + maxBytes / MB
                        + " MB");
            }
        }
    }

    private static long once(Class<? extends Throwable> allowed, Body body) {
        long before = THREADS.getTotalThreadAllocatedBytes();
        try {
            body.run();
        } catch (Throwable e) {
            if (allowed == null || !allowed.isInstance(e)) {
                throw new AssertionError("contract broken: " + e + " (only " + (allowed == null ? "nothing"
                        : allowed.getSimpleName()) + " may escape)", e);
            }
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError(allowed.getSimpleName() + " without a message", e);
            }
        }
        return THREADS.getTotalThreadAllocatedBytes() - before;
    }
}
