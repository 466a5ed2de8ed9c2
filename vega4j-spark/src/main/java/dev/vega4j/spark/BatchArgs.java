package dev.vega4j.spark;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of a batch, shared by {@code vega batch} and {@link BatchGenerate} (spark-submit). */
public final class BatchArgs {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "ID_OR_PATH",
            description = "Hub repo id or diffusers folder; on a cluster a path every node can read (or a Hub id,"
                    + " downloaded into each node's cache).")
    String model;

    @Option(names = "--input", required = true, paramLabel = "FILE",
            description = "Rows as .jsonl, .csv (with a header) or .parquet: prompt (required), negative_prompt, seed,"
                    + " steps, guidance_scale, scheduler, width, height, samples, lora, id.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output folder (every node must see it): images/, results.parquet.")
    Path out;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[*] (default, this machine), local[N], spark://host:7077, ...")
    String master;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Partitions the rows are spread over (default: Spark's default parallelism).")
    Integer partitions;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "Run seed: a row without a seed gets one derived from this and its id (default: 0).")
    long seed;

    @Option(names = "--force", description = "Redo rows whose outputs already exist (default: keep them).")
    boolean force;

    @Option(names = "--format", defaultValue = "png", paramLabel = "png|jpeg",
            description = "Image format (default: png, with the generation parameters as vega generate writes them).")
    String format;

    @Option(names = "--results-format", defaultValue = "parquet", paramLabel = "parquet|jsonl",
            description = "Results table: results.parquet (default) or results.jsonl.")
    String resultsFormat;

    @Option(names = "--latents", description = "Write each sample's final latents (latents/<name>.safetensors, the"
            + " teacher data of vega distill train --data) instead of images.")
    boolean latents;

    public BatchOptions toOptions() {
        return new BatchOptions(model, input.toString(), out.toString(), master, partitions, seed, force,
                BatchOptions.ImageFormat.parse(format), BatchOptions.ResultsFormat.parse(resultsFormat), latents);
    }
}
