package dev.vega4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One line of {@code results.parquet}: one image (or latents file) of a row, or the reason a row was not generated.
 * The parameters are those actually used (the model's scheduler and size where the row left them out, the derived
 * seed); {@code file} is relative to the output folder.
 *
 * @param row     the row's 1-based position in the input
 * @param sample  1..samples for an output, null for a bad row
 * @param status  {@link #OK} or {@link #ERROR}
 * @param resumed the output was already there from an earlier run and was kept
 */
public record BatchResult(long row, String id, Integer sample, String prompt, String negativePrompt, Long seed,
        Integer steps, Double guidanceScale, String scheduler, Integer width, Integer height, Integer samples,
        String lora, String model, String file, String sha256, Double seconds, String status, String error,
        boolean resumed) implements Serializable {

    public static final String OK = "ok";
    public static final String ERROR = "error";

    /** The result of a row that could not be generated. */
    public static BatchResult error(long row, String id, String prompt, String error) {
        return new BatchResult(row, id, null, prompt, null, null, null, null, null, null, null, null, null, null, null,
                null, null, ERROR, error, false);
    }

    public BatchResult asResumed() {
        return new BatchResult(row, id, sample, prompt, negativePrompt, seed, steps, guidanceScale, scheduler, width,
                height, samples, lora, model, file, sha256, seconds, status, error, true);
    }

    /** Column names and types of the results table, in the order of the record's components. */
    public static final StructType SCHEMA = new StructType(new StructField[] {
        field("row", DataTypes.LongType), field("id", DataTypes.StringType), field("sample", DataTypes.IntegerType),
        field("prompt", DataTypes.StringType), field("negative_prompt", DataTypes.StringType),
        field("seed", DataTypes.LongType), field("steps", DataTypes.IntegerType),
        field("guidance_scale", DataTypes.DoubleType), field("scheduler", DataTypes.StringType),
        field("width", DataTypes.IntegerType), field("height", DataTypes.IntegerType),
        field("samples", DataTypes.IntegerType), field("lora", DataTypes.StringType),
        field("model", DataTypes.StringType), field("file", DataTypes.StringType),
        field("sha256", DataTypes.StringType), field("seconds", DataTypes.DoubleType),
        field("status", DataTypes.StringType), field("error", DataTypes.StringType),
        field("resumed", DataTypes.BooleanType)});

    private static StructField field(String name, DataType type) {
        return DataTypes.createStructField(name, type, true);
    }

    public Row toRow() {
        return RowFactory.create(row, id, sample, prompt, negativePrompt, seed, steps, guidanceScale, scheduler, width,
                height, samples, lora, model, file, sha256, seconds, status, error, resumed);
    }

    public static BatchResult fromRow(Row r) {
        return new BatchResult(r.getLong(0), r.getString(1), (Integer) r.get(2), r.getString(3), r.getString(4),
                (Long) r.get(5), (Integer) r.get(6), (Double) r.get(7), r.getString(8), (Integer) r.get(9),
                (Integer) r.get(10), (Integer) r.get(11), r.getString(12), r.getString(13), r.getString(14),
                r.getString(15), (Double) r.get(16), r.getString(17), r.getString(18), r.getBoolean(19));
    }

    /** Stores the outputs of one row, so that a later run can skip it (see {@link RowRecords}). */
    static void store(List<BatchResult> results, Properties p) {
        p.setProperty("count", Integer.toString(results.size()));
        for (int i = 0; i < results.size(); i++) {
            Row r = results.get(i).toRow();
            for (int c = 0; c < SCHEMA.size(); c++) {
                if (!r.isNullAt(c)) {
                    p.setProperty(i + "." + SCHEMA.fields()[c].name(), String.valueOf(r.get(c)));
                }
            }
        }
    }

    static List<BatchResult> load(Properties p) {
        List<BatchResult> out = new ArrayList<>();
        int n = Integer.parseInt(p.getProperty("count", "0"));
        for (int i = 0; i < n; i++) {
            String k = i + ".";
            out.add(new BatchResult(Long.parseLong(p.getProperty(k + "row")), p.getProperty(k + "id"),
                    integer(p, k + "sample"), p.getProperty(k + "prompt"), p.getProperty(k + "negative_prompt"),
                    longValue(p, k + "seed"), integer(p, k + "steps"), doubleValue(p, k + "guidance_scale"),
                    p.getProperty(k + "scheduler"), integer(p, k + "width"), integer(p, k + "height"),
                    integer(p, k + "samples"), p.getProperty(k + "lora"), p.getProperty(k + "model"),
                    p.getProperty(k + "file"), p.getProperty(k + "sha256"), doubleValue(p, k + "seconds"),
                    p.getProperty(k + "status"), p.getProperty(k + "error"),
                    Boolean.parseBoolean(p.getProperty(k + "resumed"))));
        }
        return out;
    }

    private static Integer integer(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? null : Integer.valueOf(v);
    }

    private static Long longValue(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? null : Long.valueOf(v);
    }

    private static Double doubleValue(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null ? null : Double.valueOf(v);
    }
}
