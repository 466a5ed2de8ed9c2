package dev.vega4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The Spark settings a batch starts with, and its option checks (no Spark started). */
class BatchConfTest {
    static BatchOptions options(String master) {
        return new BatchOptions("m", "in.jsonl", "out", master, null, 0, false, BatchOptions.ImageFormat.PNG,
                BatchOptions.ResultsFormat.PARQUET, false);
    }

    @Test
    void localByDefaultWithTheEngineFlagsForExecutors() {
        SparkConf c = BatchJob.conf(options(null), new SparkConf(false));
        assertThat(c.get("spark.master")).isEqualTo("local[*]");
        assertThat(c.get("spark.executor.extraJavaOptions")).contains("--add-modules=jdk.incubator.vector",
                "dontinline,dev.vega4j.tensor.kernels.*::kernel*", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
        assertThat(c.contains("spark.task.cpus")).isFalse();
        assertThat(c.contains("spark.jars")).isFalse();
    }

    @Test
    void aTaskTakesAllOfAnExecutorsCoresUnlessSetAndSubmitSettingsWin() {
        SparkConf c = BatchJob.conf(options("spark://head:7077"),
                new SparkConf(false).set("spark.executor.cores", "16"));
        assertThat(c.get("spark.task.cpus")).isEqualTo("16");
        assertThat(c.get("spark.master")).isEqualTo("spark://head:7077");
        SparkConf own = BatchJob.conf(options(null), new SparkConf(false).set("spark.executor.cores", "16")
                .set("spark.task.cpus", "8").set("spark.master", "yarn").set("spark.executor.extraJavaOptions", "-X"));
        assertThat(own.get("spark.task.cpus")).isEqualTo("8");
        assertThat(own.get("spark.master")).isEqualTo("yarn");
        assertThat(own.get("spark.executor.extraJavaOptions")).isEqualTo("-X");
    }

    @Test
    void optionValuesAreChecked() {
        assertThat(BatchOptions.ImageFormat.parse("JPG")).isEqualTo(BatchOptions.ImageFormat.JPEG);
        assertThat(BatchOptions.ResultsFormat.parse("jsonl")).isEqualTo(BatchOptions.ResultsFormat.JSONL);
        assertThatThrownBy(() -> BatchOptions.ResultsFormat.parse("csv")).isInstanceOf(VegaException.class)
                .hasMessage("--results-format must be parquet or jsonl, got 'csv'");
        assertThatThrownBy(() -> new BatchOptions("m", "i", "o", null, 0, 0, false, BatchOptions.ImageFormat.PNG,
                BatchOptions.ResultsFormat.PARQUET, false)).hasMessage("--partitions must be at least 1, got 0");
    }
}
