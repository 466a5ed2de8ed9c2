package dev.vega4j.server;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Supplier;

/**
 * Counters and gauges in the Prometheus text exposition format (version 0.0.4), written by hand: the handful of
 * series a text-to-image server needs does not justify a metrics library.
 */
public final class Metrics {
    /** Upper bounds (seconds) of the step-latency histogram: from tiny test models to a 1024² SDXL step on CPU. */
    private static final double[] STEP_BUCKETS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

    private final AtomicLong[] stepBuckets = new AtomicLong[STEP_BUCKETS.length];
    private final AtomicLong stepCount = new AtomicLong();
    private final DoubleAdder stepSum = new DoubleAdder();
    private final AtomicLong jobSecondsCount = new AtomicLong();
    private final DoubleAdder jobSecondsSum = new DoubleAdder();
    private final ConcurrentHashMap<String, AtomicLong> finished = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, AtomicLong> responses = new ConcurrentHashMap<>();
    private final AtomicLong imagesTotal = new AtomicLong();
    /** Shared-store events by role and kind: claimed, completed, failed, requeued (after a lost lease), ... */
    private final ConcurrentHashMap<String, AtomicLong> storeEvents = new ConcurrentHashMap<>();
    private volatile Supplier<Integer> queueDepth = () -> 0;
    private volatile Supplier<Map<JobState, Integer>> jobsByState = Map::of;

    public Metrics() {
        for (int i = 0; i < stepBuckets.length; i++) {
            stepBuckets[i] = new AtomicLong();
        }
    }

    void bind(Supplier<Integer> queueDepth, Supplier<Map<JobState, Integer>> jobsByState) {
        this.queueDepth = queueDepth;
        this.jobsByState = jobsByState;
    }

    void step(double seconds) {
        stepCount.incrementAndGet();
        stepSum.add(seconds);
        for (int i = 0; i < STEP_BUCKETS.length; i++) {
            if (seconds <= STEP_BUCKETS[i]) {
                stepBuckets[i].incrementAndGet();
            }
        }
    }

    void jobFinished(String outcome, double seconds, int images) {
        finished.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
        if (seconds >= 0) {
            jobSecondsCount.incrementAndGet();
            jobSecondsSum.add(seconds);
        }
        imagesTotal.addAndGet(images);
    }

    /** Counts an event of the shared store's job life cycle on a node of role {@code role}. */
    void storeEvent(String role, String event) {
        storeEvents.computeIfAbsent("role=\"" + role + "\",event=\"" + event + "\"", k -> new AtomicLong())
                .incrementAndGet();
    }

    void response(int status) {
        responses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
    }

    /** The exposition text served at {@code GET /metrics}. */
    public String render() {
        StringBuilder sb = new StringBuilder(2048);
        sb.append("# HELP vega_queue_depth Jobs waiting for the engine (not counting the running one).\n")
                .append("# TYPE vega_queue_depth gauge\n")
                .append("vega_queue_depth ").append(queueDepth.get()).append('\n');
        sb.append("# HELP vega_jobs Jobs currently known to the server, by state.\n# TYPE vega_jobs gauge\n");
        Map<JobState, Integer> states = jobsByState.get();
        for (JobState s : JobState.values()) {
            sb.append("vega_jobs{state=\"").append(s).append("\"} ").append(states.getOrDefault(s, 0)).append('\n');
        }
        sb.append("# HELP vega_jobs_finished_total Jobs that reached a final state, by outcome.\n")
                .append("# TYPE vega_jobs_finished_total counter\n");
        new TreeMap<>(finished).forEach((k, v) -> sb.append("vega_jobs_finished_total{outcome=\"").append(k)
                .append("\"} ").append(v.get()).append('\n'));
        sb.append("# HELP vega_images_generated_total Images returned by finished jobs.\n")
                .append("# TYPE vega_images_generated_total counter\n")
                .append("vega_images_generated_total ").append(imagesTotal.get()).append('\n');
        sb.append("# HELP vega_step_seconds Wall time of one denoising step.\n# TYPE vega_step_seconds histogram\n");
        for (int i = 0; i < STEP_BUCKETS.length; i++) {
            sb.append("vega_step_seconds_bucket{le=\"").append(STEP_BUCKETS[i]).append("\"} ")
                    .append(stepBuckets[i].get()).append('\n');
        }
        sb.append("vega_step_seconds_bucket{le=\"+Inf\"} ").append(stepCount.get()).append('\n')
                .append("vega_step_seconds_sum ").append(stepSum.sum()).append('\n')
                .append("vega_step_seconds_count ").append(stepCount.get()).append('\n');
        sb.append("# HELP vega_job_seconds Wall time of a generation, from start to finish.\n")
                .append("# TYPE vega_job_seconds summary\n")
                .append("vega_job_seconds_sum ").append(jobSecondsSum.sum()).append('\n')
                .append("vega_job_seconds_count ").append(jobSecondsCount.get()).append('\n');
        sb.append("# HELP vega_http_responses_total HTTP responses by status code.\n")
                .append("# TYPE vega_http_responses_total counter\n");
        new TreeMap<>(responses).forEach((k, v) -> sb.append("vega_http_responses_total{code=\"").append(k)
                .append("\"} ").append(v.get()).append('\n'));
        if (!storeEvents.isEmpty()) {
            sb.append("# HELP vega_store_jobs_total Shared-store job events on this node: claimed, completed, failed,"
                    + " requeued after a lost lease, ...\n# TYPE vega_store_jobs_total counter\n");
            new TreeMap<>(storeEvents).forEach((k, v) -> sb.append("vega_store_jobs_total{").append(k).append("} ")
                    .append(v.get()).append('\n'));
        }
        return sb.toString();
    }
}
