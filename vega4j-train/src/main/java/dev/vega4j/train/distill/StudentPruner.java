package dev.vega4j.train.distill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.VegaException;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.io.SafetensorsWeights;
import dev.vega4j.io.SafetensorsWriter;
import dev.vega4j.io.WeightFiles;
import dev.vega4j.models.unet.UNet2DConditionModel;
import dev.vega4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code vega distill prune}: writes a student pipeline folder whose UNet is the teacher's with a {@link PruneRecipe}
 * applied. The student config is the teacher's {@code unet/config.json} with {@code transformer_layers_per_block}
 * (and {@code mid_block_type}) changed; each student weight is the teacher weight of the same diffusers key (so the
 * first k transformer blocks of every attention and the mid block's first resnet are kept). Every other component
 * of the pipeline folder is copied unchanged.
 */
public final class StudentPruner {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StudentPruner() {}

    /** What was written: the student config and its parameter counts. */
    public record Result(UNetConfig studentConfig, long teacherParams, long studentParams) {}

    /** Reads {@code transformer_layers_per_block} of a UNet config (an int or a list) resolved per level. */
    public static int[] teacherDepths(Path teacherDir) {
        UNetConfig c = UNetConfig.load(teacherDir.resolve("unet/config.json"));
        int[] d = new int[c.levels()];
        for (int i = 0; i < d.length; i++) {
            d[i] = c.transformerLayersDown()[i].length == 0 ? 0 : c.transformerLayersDown()[i][0];
        }
        return d;
    }

    public static Result prune(Path teacherDir, PruneRecipe recipe, Path outDir) {
        Path unetDir = teacherDir.resolve("unet");
        ObjectNode config = readJson(unetDir.resolve("config.json"));
        if (config.hasNonNull("reverse_transformer_layers_per_block")) {
            throw new VegaException("teacher uses reverse_transformer_layers_per_block (SSD-1B layout): pruning it is"
                    + " not supported");
        }
        UNetConfig teacher = UNetConfig.fromJson(config, unetDir.resolve("config.json").toString());
        if (recipe.transformerLayers().length != teacher.levels()) {
            throw new VegaException("recipe has " + recipe.transformerLayers().length + " depths, the teacher "
                    + teacher.levels() + " levels");
        }
        ObjectNode student = studentConfig(config, recipe);
        UNetConfig sc = UNetConfig.fromJson(student, "student config");
        Map<String, int[]> shapes = UNet2DConditionModel.parameterShapes(sc);
        Map<String, Tensor> weights = new LinkedHashMap<>();
        long teacherParams;
        // the teacher is often a Hub download holding only fp16 files: the same lookup as UNet2DConditionModel.load
        Path teacherWeights = WeightFiles.resolveModel(unetDir, WeightFiles.Library.DIFFUSERS, "teacher UNet");
        try (SafetensorsWeights w = SafetensorsWeights.open(teacherWeights)) {
            teacherParams = w.allNames().stream().mapToLong(n -> Arrays.stream(w.info(n).shape()).reduce(1, (a, b) -> a * b))
                    .sum();
            for (var e : shapes.entrySet()) {
                Tensor t = w.getOptional(e.getKey());
                if (t == null || !Arrays.equals(t.shape(), e.getValue())) {
                    throw new VegaException("student weight " + e.getKey() + " " + Arrays.toString(e.getValue())
                            + " has no teacher counterpart of that shape: the recipe asks for more than the teacher"
                            + " has");
                }
                weights.put(e.getKey(), t);
            }
        }
        copyPipeline(teacherDir, outDir);
        writeUNet(outDir.resolve("unet"), student, weights);
        long studentParams = weights.values().stream().mapToLong(Tensor::numel).sum();
        return new Result(sc, teacherParams, studentParams);
    }

    /** The teacher's UNet config JSON with the recipe applied (every other key unchanged). */
    public static ObjectNode studentConfig(ObjectNode teacherConfig, PruneRecipe recipe) {
        ObjectNode student = teacherConfig.deepCopy();
        ArrayNode depths = student.putArray("transformer_layers_per_block");
        for (int d : recipe.transformerLayers()) {
            depths.add(d);
        }
        if (recipe.singleResnetMid()) {
            student.put("mid_block_type", "UNetMidBlock2D");
        }
        return student;
    }

    /** Writes {@code config.json} and {@code diffusion_pytorch_model.safetensors} (sorted keys, atomically). */
    public static void writeUNet(Path unetDir, JsonNode config, Map<String, Tensor> weights) {
        try {
            Files.createDirectories(unetDir);
            Path tmp = unetDir.resolve("config.json.tmp");
            Files.writeString(tmp, JSON.writeValueAsString(sortedConfig(config)) + "\n");
            Files.move(tmp, unetDir.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafetensorsWriter.write(unetDir.resolve("diffusion_pytorch_model.safetensors"), new TreeMap<>(weights),
                Map.of("format", "pt"));
    }

    /** diffusers writes configs with sorted keys ({@code to_json_string(sort_keys=True)}). */
    private static JsonNode sortedConfig(JsonNode c) {
        ObjectNode out = JSON.createObjectNode();
        new TreeMap<String, JsonNode>() {
            {
                c.properties().forEach(e -> put(e.getKey(), e.getValue()));
            }
        }.forEach(out::set);
        return out;
    }

    /** Copies every file of the pipeline folder except the UNet (which the caller writes). */
    public static void copyPipeline(Path from, Path to) {
        if (!Files.isRegularFile(from.resolve("model_index.json"))) {
            throw new VegaException(from + " is not a diffusers pipeline folder (no model_index.json)");
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path rel = from.relativize(p);
                if (rel.getNameCount() > 0 && (rel.getName(0).toString().equals("unet")
                        || rel.getName(0).toString().equals("training"))) {
                    continue;
                }
                Path dst = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode readJson(Path p) {
        try {
            JsonNode n = JSON.readTree(Files.readString(p));
            if (!(n instanceof ObjectNode o)) {
                throw new VegaException(p + ": not a JSON object");
            }
            return o;
        } catch (IOException e) {
            throw new VegaException(p + ": not readable: " + e.getMessage(), e);
        }
    }
}
