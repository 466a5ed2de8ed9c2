package dev.vega4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on Spark's {@code local-cluster[2,1,1024]}: a master and two workers in this JVM, each worker starting its
 * executor as a separate JVM, as on a real cluster. Spark's workers start executors from a Spark installation's
 * {@code jars/} folder; the test lays out an empty one ({@code RELEASE}, {@code jars/}) and gives the executors this
 * JVM's class path instead. The images must be the bytes local mode writes.
 */
@Timeout(900)
class MultiProcessBatchTest {
    @TempDir
    Path tmp;

    @Test
    void twoExecutorProcessesWriteTheImagesLocalModeWrites() throws Exception {
        Path sparkHome = tmp.resolve("spark-home");
        Files.createDirectories(sparkHome.resolve("jars"));
        Files.createDirectories(sparkHome.resolve("launcher/target/scala-2.13")); // the launcher's Scala version probe
        Files.writeString(sparkHome.resolve("RELEASE"), "vega4j test layout\n");
        StringBuilder rows = new StringBuilder();
        for (int i = 1; i <= 4; i++) {
            rows.append("{\"id\":\"p").append(i).append("\",\"prompt\":\"a lighthouse number ").append(i)
                    .append("\",\"seed\":").append(i).append(",\"steps\":1,\"width\":64,\"height\":64}\n");
        }
        Path input = Files.writeString(tmp.resolve("rows.jsonl"), rows.toString());
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        Path cluster = tmp.resolve("cluster");
        String executorPids;
        System.setProperty("spark.testing", "true"); // workers take spark.test.home as SPARK_HOME
        System.setProperty("spark.test.home", sparkHome.toString());
        SparkSession spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("MultiProcessBatchTest")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executor.extraJavaOptions", SparkJvmOptions.executorOptions() + " -Dvega.repoRoot="
                        + System.getProperty("vega.repoRoot") + " -Dvega.cacheDir=" + System.getProperty("vega.cacheDir"))
                .getOrCreate();
        try {
            BatchJob.Summary s = BatchJob.run(spark, new BatchOptions(BatchJobTest.MODEL, input.toString(),
                    cluster.toString(), null, 2, 0, false, BatchOptions.ImageFormat.PNG,
                    BatchOptions.ResultsFormat.PARQUET, false), quiet);
            assertThat(s.generated()).isEqualTo(4);
            executorPids = String.join(",", spark.sparkContext().parallelize(
                    scala.jdk.javaapi.CollectionConverters.asScala(java.util.List.of(1, 2, 3, 4)).toSeq(), 2,
                    scala.reflect.ClassTag$.MODULE$.apply(Integer.class))
                    .toJavaRDD().map(x -> Long.toString(ProcessHandle.current().pid())).distinct().collect());
        } finally {
            spark.stop();
            System.clearProperty("spark.testing");
            System.clearProperty("spark.test.home");
        }
        assertThat(executorPids.split(",")).as("executor JVMs").hasSize(2)
                .doesNotContain(Long.toString(ProcessHandle.current().pid()));

        SparkSession local = SparkSession.builder().master("local[1]").appName("local").config("spark.ui.enabled",
                "false").getOrCreate();
        try {
            Path localOut = tmp.resolve("local");
            BatchJob.run(local, new BatchOptions(BatchJobTest.MODEL, input.toString(), localOut.toString(), null, 1,
                    0, false, BatchOptions.ImageFormat.PNG, BatchOptions.ResultsFormat.PARQUET, false), quiet);
            for (int i = 1; i <= 4; i++) {
                assertThat(Files.readAllBytes(cluster.resolve("images/p" + i + ".png"))).as("p" + i)
                        .isEqualTo(Files.readAllBytes(localOut.resolve("images/p" + i + ".png")));
            }
        } finally {
            local.stop();
        }
    }
}
