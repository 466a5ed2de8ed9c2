package dev.vega4j.bench;

/**
 * The peak resident memory of this process during a stretch of work, above what was resident when it began: a daemon
 * thread reads {@code VmRSS} ({@link ProcessStats#residentBytes()}) every {@value #PERIOD_MS} ms. It counts everything
 * the process touched in that time (Java heap the collector grew into, off-heap buffers), not only live objects, and
 * can miss a spike shorter than the period. {@code VmHWM} cannot serve: it is the peak since the process started.
 */
final class ResidentSampler implements AutoCloseable {
    static final long PERIOD_MS = 50;

    private final long before;
    private final Thread thread;
    private volatile boolean stop;
    private volatile long peak;

    private ResidentSampler() {
        this.before = ProcessStats.residentBytes();
        this.peak = before;
        this.thread = Thread.ofPlatform().daemon().name("vega-rss-sampler").start(this::loop);
    }

    /** Starts sampling now. */
    static ResidentSampler start() {
        return new ResidentSampler();
    }

    private void loop() {
        while (!stop) {
            sample();
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        long now = ProcessStats.residentBytes();
        if (now > peak) {
            peak = now;
        }
    }

    /** Peak VmRSS seen minus VmRSS at the start, in bytes; -1 where /proc is not available. */
    long extraBytes() {
        return before < 0 ? -1 : Math.max(0, peak - before);
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample(); // the end state counts too
    }
}
