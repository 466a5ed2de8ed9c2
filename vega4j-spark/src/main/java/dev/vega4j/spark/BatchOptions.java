package dev.vega4j.spark;

import dev.vega4j.VegaException;
import java.io.Serializable;
import java.util.Locale;

/**
 * One bulk-generation job: what {@code vega batch} and {@code spark-submit --class dev.vega4j.spark.BatchGenerate}
 * take. Serializable because the executors get the parts they need.
 *
 * @param model         Hub repo id or a diffusers folder every node can read
 * @param input         JSONL, CSV or Parquet file (by its extension)
 * @param out           output folder every node can write (images/, latents/, results.parquet)
 * @param master        Spark master; null = the one spark-submit set, else {@code local[*]}
 * @param partitions    partitions the rows are spread over; null = Spark's default parallelism
 * @param seed          run seed that seedless rows derive their seed from (with their id)
 * @param force         redo rows whose outputs already exist
 * @param imageFormat   image file format
 * @param resultsFormat results table format
 * @param latents       write the final latents (safetensors) instead of images
 */
public record BatchOptions(String model, String input, String out, String master, Integer partitions, long seed,
        boolean force, ImageFormat imageFormat, ResultsFormat resultsFormat, boolean latents) implements Serializable {

    public BatchOptions {
        if (partitions != null && partitions < 1) {
            throw new VegaException("--partitions must be at least 1, got " + partitions);
        }
    }

    /** Image files: PNG with the A1111 {@code parameters} chunk (as {@code vega generate} writes), or JPEG. */
    public enum ImageFormat {
        PNG("png"), JPEG("jpg");

        final String extension;

        ImageFormat(String extension) {
            this.extension = extension;
        }

        public static ImageFormat parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "png" -> PNG;
                case "jpeg", "jpg" -> JPEG;
                default -> throw new VegaException("--format must be png or jpeg, got '" + s + "'");
            };
        }
    }

    /** The results table: one Parquet file (a Spark output folder) or JSON lines. */
    public enum ResultsFormat {
        PARQUET("results.parquet"), JSONL("results.jsonl");

        final String fileName;

        ResultsFormat(String fileName) {
            this.fileName = fileName;
        }

        public static ResultsFormat parse(String s) {
            return switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "parquet" -> PARQUET;
                case "jsonl", "json" -> JSONL;
                default -> throw new VegaException("--results-format must be parquet or jsonl, got '" + s + "'");
            };
        }
    }
}
