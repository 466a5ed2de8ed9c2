package dev.vega4j.train.distill;

import dev.vega4j.VegaException;
import java.util.Arrays;

/**
 * How a student UNet is cut out of its teacher (Segmind, "Progressive Knowledge Distillation of Stable Diffusion XL
 * using Layer Level Loss", arXiv 2401.02677): fewer transformer blocks per attention (the first k of each are kept)
 * and optionally the mid block reduced to its first resnet ({@code UNetMidBlock2D}, as in Segmind Vega).
 *
 * @param transformerLayers the student's {@code transformer_layers_per_block}, one per level (≤ the teacher's)
 * @param singleResnetMid   replace the mid block by {@code UNetMidBlock2D} (one ResnetBlock2D)
 */
public record PruneRecipe(int[] transformerLayers, boolean singleResnetMid) {

    /** Segmind Vega from SDXL: depths [0, 1, 2] instead of [1, 2, 10], mid block = one resnet. Needs 3 levels. */
    public static PruneRecipe vega(int[] teacherDepths) {
        if (teacherDepths.length != 3) {
            throw new VegaException("recipe 'vega' needs a 3-level (SDXL-shaped) teacher UNet; this one has "
                    + teacherDepths.length + " levels: use --recipe halve or custom");
        }
        return new PruneRecipe(new int[] {0, Math.min(1, teacherDepths[1]), Math.min(2, teacherDepths[2])}, true);
    }

    /**
     * SSD-1B's down-block depths from SDXL: [0, 2, 4] (ComfyUI's SSD1B detection, transformer_depth [0,0,2,2,4,4]),
     * mirrored in the up blocks, mid block kept. An approximation: the published SSD-1B up blocks use per-layer
     * depths ({@code reverse_transformer_layers_per_block}) that this recipe does not reproduce.
     */
    public static PruneRecipe ssd1b(int[] teacherDepths) {
        if (teacherDepths.length != 3) {
            throw new VegaException("recipe 'ssd1b' needs a 3-level (SDXL-shaped) teacher UNet; this one has "
                    + teacherDepths.length + " levels: use --recipe halve or custom");
        }
        return new PruneRecipe(new int[] {0, Math.min(2, teacherDepths[1]), Math.min(4, teacherDepths[2])}, false);
    }

    /** Every level keeps ceil(depth / 2) blocks, mid block = one resnet: a small student for any teacher. */
    public static PruneRecipe halve(int[] teacherDepths) {
        int[] d = new int[teacherDepths.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (teacherDepths[i] + 1) / 2;
        }
        return new PruneRecipe(d, true);
    }

    /** Parses a recipe name; {@code custom} takes "1,1" depths and the mid choice. */
    public static PruneRecipe of(String name, int[] teacherDepths, String customDepths, boolean singleResnetMid) {
        return switch (name) {
            case "vega" -> vega(teacherDepths);
            case "halve" -> halve(teacherDepths);
            case "ssd1b" -> ssd1b(teacherDepths);
            case "custom" -> {
                if (customDepths == null) {
                    throw new VegaException("recipe 'custom' needs --transformer-layers, e.g. 0,1,2");
                }
                int[] d = Arrays.stream(customDepths.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
                if (d.length != teacherDepths.length) {
                    throw new VegaException("--transformer-layers has " + d.length + " values, the teacher has "
                            + teacherDepths.length + " levels");
                }
                yield new PruneRecipe(d, singleResnetMid);
            }
            default -> throw new VegaException("unknown recipe '" + name + "' (vega, halve, ssd1b, custom)");
        };
    }
}
