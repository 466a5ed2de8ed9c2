package dev.vega4j.spark;

import dev.vega4j.VegaException;
import dev.vega4j.hub.DownloadListener;
import dev.vega4j.hub.HubCache;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.lora.FusedLora;
import dev.vega4j.lora.LoraSpec;
import dev.vega4j.lora.Loras;
import dev.vega4j.pipeline.Cancellation;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.ProgressListener;
import dev.vega4j.tensor.Tensor;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generates one checked row on an executor: skips it when its outputs and record are already there (unless
 * {@code --force}), else runs the JVM's {@link ExecutorPipeline}, writes each output under a temporary name and
 * renames it, then the row's record. A failure of the row (a LoRA that does not fit the model, a size the model
 * cannot take) becomes an error result; the task and the job go on.
 */
public final class RowGenerator implements Serializable {
    public static final String IMAGES = "images";
    public static final String LATENTS = "latents";

    private final BatchOptions options;

    public RowGenerator(BatchOptions options) {
        this.options = options;
    }

    /** The results of one row: one per output, or one error. */
    public List<BatchResult> process(ParsedRow parsed) {
        if (!parsed.ok()) {
            return List.of(BatchResult.error(parsed.number(), parsed.id(), parsed.prompt(), parsed.error()));
        }
        BatchRow row = parsed.row();
        Path out = Path.of(options.out());
        RowRecords records = new RowRecords(out);
        String fingerprint = fingerprint(row);
        if (!options.force()) {
            var done = records.done(row.name(), fingerprint, out);
            if (done.isPresent()) {
                return done.get().stream().map(BatchResult::asResumed).toList();
            }
        }
        try {
            List<BatchResult> results = generate(row, out);
            records.write(row.name(), fingerprint, results);
            return results;
        } catch (VegaException | IllegalArgumentException | IllegalStateException e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return List.of(BatchResult.error(row.number(), row.id(), row.prompt(), msg));
        }
    }

    /** What a row's outputs depend on: its columns, its seed, the model and the output kind. */
    String fingerprint(BatchRow row) {
        return RowSeeds.hash(row.content() + "seed=" + row.effectiveSeed(options.seed()) + "\nmodel=" + options.model()
                + "\noutput=" + (options.latents() ? "latents" : options.imageFormat().extension));
    }

    /** Output file names relative to the output folder: {@code images/<name>.png}, or {@code <name>-k.png}. */
    List<String> files(BatchRow row) {
        String dir = options.latents() ? LATENTS : IMAGES;
        String ext = options.latents() ? "safetensors" : options.imageFormat().extension;
        List<String> files = new ArrayList<>();
        for (int k = 1; k <= row.samples(); k++) {
            files.add(dir + "/" + row.name() + (row.samples() == 1 ? "" : "-" + k) + "." + ext);
        }
        return files;
    }

    private List<BatchResult> generate(BatchRow row, Path out) {
        GenerationRequest request = row.request(options.seed());
        List<String> files = files(row);
        List<LoraSpec> specs = row.loras().stream().map(LoraSpec::parse).toList();
        long[] t0 = new long[1];
        Outputs outputs = ExecutorPipeline.with(options.model(), pipeline -> {
            t0[0] = System.nanoTime(); // the row's own time: not the model load its executor's first row waits for
            List<FusedLora> fused = specs.isEmpty() ? List.of()
                    : Loras.fuse(pipeline, specs, Loras.load(specs, HubCache.fromEnvironment(), DownloadListener.NONE));
            try {
                return options.latents() ? latents(pipeline, request) : images(pipeline, request);
            } finally {
                for (int i = fused.size() - 1; i >= 0; i--) {
                    fused.get(i).close(); // the next row gets the model as loaded
                }
            }
        });
        double seconds = (System.nanoTime() - t0[0]) / 1e9;
        GenerationResult.UsedParameters used = outputs.used();
        List<BatchResult> results = new ArrayList<>();
        for (int k = 0; k < files.size(); k++) {
            Path file = out.resolve(files.get(k));
            mkdirs(file.getParent());
            outputs.write(k, file);
            results.add(new BatchResult(row.number(), row.id(), k + 1, used.prompt(), used.negativePrompt(),
                    used.seed(), used.steps(), used.guidanceScale(), used.scheduler(), used.width(), used.height(),
                    used.samples(), row.loras().isEmpty() ? null : String.join(",", row.loras()), used.model(),
                    files.get(k), sha256(file), seconds / files.size(), BatchResult.OK, null, false));
        }
        return results;
    }

    /** What a generation produced, written one output at a time. */
    private interface Outputs {
        GenerationResult.UsedParameters used();

        void write(int k, Path file);
    }

    private Outputs images(Pipeline pipeline, GenerationRequest request) {
        GenerationResult result = pipeline.generate(request, ProgressListener.NONE, new Cancellation());
        return new Outputs() {
            public GenerationResult.UsedParameters used() {
                return result.parameters();
            }

            public void write(int k, Path file) {
                // exactly what vega generate writes for the same name (PNG with the A1111 parameters, or JPEG)
                ImageFiles.write(result.images().get(k), result.parameters().a1111Infotext(), file);
            }
        };
    }

    private Outputs latents(Pipeline pipeline, GenerationRequest request) {
        if (!(pipeline instanceof DiffusionPipeline dp)) {
            throw new VegaException("--latents needs a diffusers pipeline, " + pipeline.info().name() + " is not one");
        }
        FinalLatents fin = FinalLatents.of(dp, request);
        var used = new GenerationResult.UsedParameters(request.prompt(), request.negativePrompt(), request.steps(),
                request.guidanceScale(), request.seed(), fin.scheduler(), fin.width(), fin.height(), request.samples(),
                dp.info().name(), null);
        return new Outputs() {
            public GenerationResult.UsedParameters used() {
                return used;
            }

            public void write(int k, Path file) {
                Map<String, String> meta = new LinkedHashMap<>();
                meta.put("prompt", used.prompt());
                if (used.negativePrompt() != null) {
                    meta.put("negative_prompt", used.negativePrompt());
                }
                meta.put("parameters", used.a1111Infotext());
                meta.put("sample", Integer.toString(k + 1));
                Tensor one = fin.latents().slice0(k, k + 1).copy();
                SafetensorsWriter.write(file, Map.of(FinalLatents.TENSOR, one), meta);
            }
        };
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new VegaException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(RowSeeds.sha256(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new VegaException("cannot read back " + file + ": " + e.getMessage(), e);
        }
    }
}
