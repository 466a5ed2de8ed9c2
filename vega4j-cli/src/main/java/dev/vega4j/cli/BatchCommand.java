package dev.vega4j.cli;

import dev.vega4j.spark.BatchArgs;
import dev.vega4j.spark.BatchGenerate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code vega batch}: the Spark bulk-generation job ({@code dev.vega4j.spark.BatchGenerate}) run in this JVM, in local
 * mode unless {@code --master} names a cluster.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate an image for every row of a JSONL, CSV or Parquet file with Apache Spark: resumable,"
                + " seed-deterministic, local by default (--master for a cluster).",
            "Writes DIR/images/<id>.png (as vega generate writes them) and DIR/results.parquet; bad rows are listed"
                    + " there with their reason."})
final class BatchCommand implements Callable<Integer> {
    @Mixin
    BatchArgs args;

    /** Loggers whose INFO lines would bury the progress line (SLF4J simple reads these when a logger is made). */
    private static final String[] CHATTY = {"org.apache.spark", "org.sparkproject", "org.apache.hadoop",
        "org.apache.parquet", "org.apache.orc", "io.netty"};
    /** A warning on every run, about nothing a user does wrong (Hadoop's optional native code). */
    private static final String NATIVE_CODE_LOADER = "org.slf4j.simpleLogger.log.org.apache.hadoop.util.NativeCodeLoader";

    @Override
    public Integer call() {
        for (String logger : CHATTY) {
            String key = "org.slf4j.simpleLogger.log." + logger;
            if (System.getProperty(key) == null) {
                System.setProperty(key, "warn");
            }
        }
        if (System.getProperty(NATIVE_CODE_LOADER) == null) {
            System.setProperty(NATIVE_CODE_LOADER, "error");
        }
        return BatchGenerate.runAndReport(args.toOptions(), System.err);
    }
}
