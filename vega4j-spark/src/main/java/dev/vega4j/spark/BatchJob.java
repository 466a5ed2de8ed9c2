package dev.vega4j.spark;

import dev.vega4j.VegaException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * The bulk-generation job on the driver: reads the rows, checks them, spreads them over the executors, each of which
 * generates its rows with its {@link ExecutorPipeline}, and writes the results table. The same code runs in local
 * mode inside {@code vega batch} and on a cluster through {@code spark-submit}.
 */
public final class BatchJob {
    private BatchJob() {}

    /** Counts of a finished job and the bad rows (row number: reason), in input order. */
    public record Summary(long rows, long generated, long kept, long failed, long outputs, List<String> errors,
            Path results) {}

    /** Runs the job in a Spark session of its own (the options' master, else spark-submit's, else local[*]). */
    public static Summary run(BatchOptions o, PrintStream progress) {
        if (!Files.exists(Path.of(o.input()))) {
            throw new VegaException("input " + o.input() + " does not exist"); // before Spark takes seconds to start
        }
        SparkConf conf = conf(o, new SparkConf());
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try {
            return run(spark, o, progress);
        } finally {
            spark.stop();
        }
    }

    /**
     * The session's settings: {@code base} (spark-submit's, which win) completed with the job's defaults. An executor
     * runs one generation at a time on all its cores, so where {@code spark.executor.cores} is set and
     * {@code spark.task.cpus} is not, a task takes all of them: more task slots would only queue on the pipeline.
     */
    static SparkConf conf(BatchOptions o, SparkConf base) {
        SparkConf conf = base.setAppName("vega batch").setIfMissing("spark.master", "local[*]")
                // the progress line replaces Spark's console progress bar
                .setIfMissing("spark.ui.showConsoleProgress", "false")
                // running tasks report their row counts this often (the progress line)
                .setIfMissing("spark.executor.heartbeatInterval", "2s")
                .setIfMissing("spark.executor.extraJavaOptions", SparkJvmOptions.executorOptions());
        if (o.master() != null) {
            conf.setMaster(o.master());
        }
        if (conf.contains("spark.executor.cores")) {
            conf.setIfMissing("spark.task.cpus", conf.get("spark.executor.cores"));
        }
        if (!conf.get("spark.master").startsWith("local")) {
            // started from vega batch rather than spark-submit: the executors need this code (the jar it runs from)
            jarOf(BatchJob.class).ifPresent(jar -> conf.setIfMissing("spark.jars", jar));
        }
        return conf;
    }

    private static java.util.Optional<String> jarOf(Class<?> c) {
        try {
            var source = c.getProtectionDomain().getCodeSource();
            Path p = source == null ? null : Path.of(source.getLocation().toURI());
            return p != null && Files.isRegularFile(p) ? java.util.Optional.of(p.toString()) : java.util.Optional.empty();
        } catch (java.net.URISyntaxException | SecurityException e) {
            return java.util.Optional.empty();
        }
    }

    /** Runs the job in an existing session (tests, notebooks). */
    public static Summary run(SparkSession spark, BatchOptions o, PrintStream progress) {
        Path out = Path.of(o.out()).toAbsolutePath();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new VegaException("cannot create the output folder " + out + ": " + e.getMessage(), e);
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<ParsedRow> parsed = markDuplicates(sc, read(spark, o.input()).map(ParsedRow::of)).cache();
        long total = parsed.count();

        BatchProgress.Counters counters = new BatchProgress.Counters(sc.sc().longAccumulator("vega rows generated"),
                sc.sc().longAccumulator("vega rows failed"), sc.sc().longAccumulator("vega rows kept"));
        int partitions = o.partitions() != null ? o.partitions() : sc.defaultParallelism();
        RowGenerator generator = new RowGenerator(o);
        JavaRDD<Row> results = parsed.repartition(partitions).flatMap(p -> {
            List<BatchResult> r = generator.process(p);
            (r.getFirst().status().equals(BatchResult.ERROR) ? counters.failed()
                    : r.getFirst().resumed() ? counters.kept() : counters.done()).add(1);
            return r.stream().map(BatchResult::toRow).iterator();
        });
        Dataset<Row> table = spark.createDataFrame(results, BatchResult.SCHEMA)
                .persist(StorageLevel.MEMORY_AND_DISK());
        BatchProgress listener = new BatchProgress(counters, total);
        spark.sparkContext().addSparkListener(listener);
        try {
            listener.whileRunning(progress, 2000, table::count);
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
        Path resultsPath = writeResults(table.orderBy("row", "sample"), out, o.resultsFormat());

        List<String> errors = new ArrayList<>();
        for (Row r : table.filter(functions.col("status").equalTo(BatchResult.ERROR)).orderBy("row")
                .select("row", "error").collectAsList()) {
            errors.add("row " + r.getLong(0) + ": " + r.getString(1));
        }
        // counted from the table, not the accumulators: a recomputed partition would count its rows twice there
        long[] rowsBy = new long[3];
        long outputs = 0;
        for (Row r : table.groupBy("status", "resumed").agg(functions.countDistinct("row"), functions.count("*"))
                .collectAsList()) {
            boolean ok = r.getString(0).equals(BatchResult.OK);
            rowsBy[!ok ? 2 : r.getBoolean(1) ? 1 : 0] += r.getLong(2);
            outputs += ok ? r.getLong(3) : 0;
        }
        table.unpersist();
        parsed.unpersist();
        return new Summary(total, rowsBy[0], rowsBy[1], rowsBy[2], outputs, errors, resultsPath);
    }

    /** The input rows with their 1-based position, the known columns as text. */
    static JavaRDD<InputRow> read(SparkSession spark, String input) {
        Path p = Path.of(input).toAbsolutePath();
        if (!Files.exists(p)) {
            throw new VegaException("input " + input + " does not exist");
        }
        String uri = p.toUri().toString();
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        Dataset<Row> raw;
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
            raw = spark.read().option("mode", "PERMISSIVE").json(uri);
        } else if (name.endsWith(".csv")) {
            raw = spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(uri);
        } else if (name.endsWith(".parquet")) {
            raw = spark.read().parquet(uri);
        } else {
            throw new VegaException("input " + input + ": give a .jsonl, .csv or .parquet file");
        }
        List<String> present = List.of(raw.columns());
        if (!present.contains("prompt") && !present.contains(CORRUPT)) {
            throw new VegaException("input " + input + " has no 'prompt' column (columns: " + present + ")");
        }
        List<Column> cols = new ArrayList<>();
        for (String c : InputRow.COLUMNS) {
            cols.add((present.contains(c) ? functions.col(c).cast("string") : functions.lit(null).cast("string")).as(c));
        }
        cols.add((present.contains(CORRUPT) ? functions.col(CORRUPT) : functions.lit(null).cast("string"))
                .as(CORRUPT));
        Dataset<Row> selected = raw.select(cols.toArray(Column[]::new));
        return selected.javaRDD().zipWithIndex().map(t -> {
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i < InputRow.COLUMNS.size(); i++) {
                if (!t._1().isNullAt(i)) {
                    values.put(InputRow.COLUMNS.get(i), t._1().getString(i));
                }
            }
            String corrupt = t._1().getString(InputRow.COLUMNS.size());
            return new InputRow(t._2() + 1, values, corrupt);
        });
    }

    private static final String CORRUPT = "_corrupt_record";

    /**
     * Two rows with one name would write one file: the first (lowest row number) keeps it, each later one is a bad
     * row naming the first. Rows without an id are named by their content, so such a duplicate is the same row twice.
     */
    static JavaRDD<ParsedRow> markDuplicates(JavaSparkContext sc, JavaRDD<ParsedRow> parsed) {
        JavaPairRDD<String, Tuple2<Long, Long>> byName = parsed.filter(ParsedRow::ok)
                .mapToPair(p -> new Tuple2<>(p.row().name(), new Tuple2<>(p.number(), 1L)))
                .reduceByKey((a, b) -> new Tuple2<>(Math.min(a._1(), b._1()), a._2() + b._2()));
        Map<String, Long> first = new HashMap<>(byName.filter(t -> t._2()._2() > 1).mapValues(Tuple2::_1)
                .collectAsMap());
        if (first.isEmpty()) {
            return parsed;
        }
        Broadcast<Map<String, Long>> dup = sc.broadcast(first);
        return parsed.map(p -> {
            Long keeper = p.ok() ? dup.value().get(p.row().name()) : null;
            if (keeper == null || keeper == p.number()) {
                return p;
            }
            return p.withError((p.row().id() != null ? "id '" + p.row().id() + "' is already used by row "
                    : "same columns as row ") + keeper + " (its output would overwrite that row's; give each row its"
                    + " own id)");
        });
    }

    /** Writes the table as OUT/results.parquet (a Spark output folder) or one OUT/results.jsonl file. */
    static Path writeResults(Dataset<Row> table, Path out, BatchOptions.ResultsFormat format) {
        Path target = out.resolve(format.fileName);
        if (format == BatchOptions.ResultsFormat.PARQUET) {
            table.coalesce(1).write().mode(SaveMode.Overwrite).parquet(target.toUri().toString());
            return target;
        }
        Path tmp = out.resolve(".vega-batch").resolve("results-jsonl");
        table.coalesce(1).write().mode(SaveMode.Overwrite).option("ignoreNullFields", "false")
                .json(tmp.toUri().toString());
        try (Stream<Path> parts = Files.list(tmp)) {
            Path part = parts.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst()
                    .orElseThrow(() -> new VegaException("Spark wrote no results file in " + tmp));
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new VegaException("cannot move the results to " + target + ": " + e.getMessage(), e);
        }
        return target;
    }
}
