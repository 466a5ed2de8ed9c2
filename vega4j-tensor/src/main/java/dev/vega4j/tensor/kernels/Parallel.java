package dev.vega4j.tensor.kernels;

import dev.vega4j.tensor.Switches;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of worker threads plus the calling thread, running {@code body(task)} for task in [0, n) with dynamic
 * hand-out (an atomic counter), so a core slowed by a neighbour simply takes fewer tasks. Results never depend on which
 * thread ran a task: every kernel writes each output element from exactly one task, in a fixed reduction order.
 *
 * <p>Nested calls (a task that itself calls {@link #forEach}) and calls while the team is busy run inline on the
 * calling thread, which keeps the team deadlock-free when models are driven from several threads.
 */
public final class Parallel {

    /** One unit of parallel work. */
    @FunctionalInterface
    public interface Body {
        void run(int task);
    }

    private final int threads;
    private final Worker[] workers;
    private final AtomicInteger busy = new AtomicInteger();
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    // the job being run; published through the volatile 'generation'
    private Body body;
    private int count;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Throwable failure;
    private volatile Thread caller;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i);
            workers[i].start();
        }
    }

    /** Default size: {@code -Dvega.threads=N}, else the number of available processors ({@link Switches#threads()}). */
    public static int defaultThreads() {
        return Switches.get().threads();
    }

    public int threads() {
        return threads;
    }

    /**
     * CPU time consumed so far by the team's workers plus the calling thread, in nanoseconds (-1 where the JVM does
     * not measure thread CPU time). Benchmarks use it to count only the time the work actually got a core.
     */
    public long cpuNanos() {
        java.lang.management.ThreadMXBean tm = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!tm.isCurrentThreadCpuTimeSupported()) {
            return -1;
        }
        long total = tm.getCurrentThreadCpuTime();
        for (Worker w : workers) {
            long t = tm.getThreadCpuTime(w.threadId());
            if (t < 0) {
                return -1;
            }
            total += t;
        }
        return total;
    }

    /** Runs body(0..n-1), returning when all are done. Exceptions in tasks are rethrown here. */
    public void forEach(int n, Body b) {
        if (n <= 0) {
            return;
        }
        if (n == 1 || threads == 1 || INSIDE.get() || !busy.compareAndSet(0, 1)) {
            for (int i = 0; i < n; i++) {
                b.run(i);
            }
            return;
        }
        try {
            body = b;
            count = n;
            failure = null;
            next.set(0);
            int helpers = Math.min(workers.length, n - 1);
            pending.set(helpers);
            caller = Thread.currentThread();
            for (int i = 0; i < helpers; i++) {
                workers[i].wake();
            }
            INSIDE.set(true);
            try {
                drain();
            } finally {
                INSIDE.set(false);
            }
            while (pending.get() > 0) {
                LockSupport.parkNanos(this, 20_000L);
            }
            body = null;
            Throwable f = failure;
            if (f != null) {
                if (f instanceof RuntimeException re) {
                    throw re;
                }
                if (f instanceof Error er) {
                    throw er;
                }
                throw new IllegalStateException(f);
            }
        } finally {
            busy.set(0);
        }
    }

    private void drain() {
        Body b = body;
        int n = count;
        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            if (failure != null) {
                return;
            }
            try {
                b.run(i);
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private final class Worker extends Thread {
        private volatile boolean go;

        Worker(int index) {
            super("vega-ops-" + (index + 1));
            setDaemon(true);
        }

        void wake() {
            go = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            INSIDE.set(true);
            while (true) {
                // spin briefly (back-to-back ops are common), then park
                int spins = 0;
                while (!go) {
                    if (++spins < 2000) {
                        Thread.onSpinWait();
                    } else {
                        LockSupport.park(this);
                    }
                }
                go = false;
                drain();
                if (pending.decrementAndGet() == 0) {
                    Thread c = caller;
                    if (c != null) {
                        LockSupport.unpark(c);
                    }
                }
            }
        }
    }
}
