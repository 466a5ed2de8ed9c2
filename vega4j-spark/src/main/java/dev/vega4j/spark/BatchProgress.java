package dev.vega4j.spark;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The progress line of a batch ("rows 40/1000: 38 done, 2 failed, 5 kept; ETA 12 min") from the row counters the
 * tasks keep. Spark merges accumulators into the driver only when a task ends, so the counts of running tasks are
 * read from the executors' heartbeats ({@code spark.executor.heartbeatInterval}), which carry every accumulator of
 * every running task.
 */
final class BatchProgress extends SparkListener {
    /** Counters the tasks add to: a generated row, a failed row, a row kept from an earlier run. */
    record Counters(LongAccumulator done, LongAccumulator failed, LongAccumulator kept) implements java.io.Serializable {}

    private final Counters counters;
    private final long total;
    private final long start = System.nanoTime();
    private final Map<Long, long[]> running = new HashMap<>();
    private final long[] finished = new long[3];
    private String last = "";

    BatchProgress(Counters counters, long total) {
        this.counters = counters;
        this.total = total;
    }

    @Override
    public synchronized void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> t
                : CollectionConverters.asJava(update.accumUpdates())) {
            long[] counts = running.computeIfAbsent((Long) t._1(), k -> new long[3]);
            read(t._4(), counts);
        }
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        running.remove(end.taskInfo().taskId());
        if (end.taskInfo().successful()) {
            long[] counts = new long[3];
            read(end.taskInfo().accumulables(), counts);
            for (int i = 0; i < 3; i++) {
                finished[i] += counts[i];
            }
        }
    }

    private void read(scala.collection.immutable.Seq<AccumulableInfo> infos, long[] counts) {
        for (AccumulableInfo info : CollectionConverters.asJava(infos)) {
            if (info.update().isEmpty() || !(info.update().get() instanceof Long v)) {
                continue;
            }
            if (info.id() == counters.done().id()) {
                counts[0] = v;
            } else if (info.id() == counters.failed().id()) {
                counts[1] = v;
            } else if (info.id() == counters.kept().id()) {
                counts[2] = v;
            }
        }
    }

    /** The current line; null when nothing changed since the last call. */
    synchronized String line() {
        long[] c = finished.clone();
        for (long[] r : running.values()) {
            for (int i = 0; i < 3; i++) {
                c[i] += r[i];
            }
        }
        long seen = c[0] + c[1] + c[2];
        String eta = "";
        long worked = c[0] + c[1];
        if (worked > 0 && seen < total) {
            double perRow = (System.nanoTime() - start) / 1e9 / worked;
            eta = ", ETA " + duration(perRow * (total - seen));
        }
        String line = String.format(Locale.ROOT, "rows %d/%d: %d done, %d failed, %d kept from an earlier run%s",
                seen, total, c[0], c[1], c[2], eta);
        if (line.equals(last)) {
            return null;
        }
        last = line;
        return line;
    }

    /** Prints the line every {@code periodMillis} while {@code work} runs, and once at the end. */
    <T> T whileRunning(PrintStream out, long periodMillis, java.util.function.Supplier<T> work) {
        Thread printer = Thread.ofPlatform().daemon().name("vega-batch-progress").start(() -> {
            try {
                while (true) {
                    Thread.sleep(periodMillis);
                    print(out);
                }
            } catch (InterruptedException done) {
                // the job ended
            }
        });
        try {
            return work.get();
        } finally {
            printer.interrupt();
            print(out);
        }
    }

    private void print(PrintStream out) {
        String l = line();
        if (l != null) {
            out.println(l);
            out.flush();
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : s < 3600 ? String.format(Locale.ROOT, "%d:%02d min", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d h", s / 3600, s % 3600 / 60);
    }
}
