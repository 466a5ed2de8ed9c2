package dev.vega4j.spark;

import dev.vega4j.pipeline.GenerationRequest;
import java.io.Serializable;
import java.util.List;

/**
 * A checked input row: everything {@code vega generate} would take for it, and the stem its output files are named
 * by ({@link RowParser#name}).
 *
 * @param number   1-based position in the input
 * @param name     file stem: the row's id, or {@code row-<hash of its columns>}
 * @param id       the id column, null when absent
 * @param seed     the seed column, null when absent (then {@link RowSeeds#derive} gives one)
 * @param loras    LoRA specs ({@code ID_OR_PATH[:WEIGHT]}), empty for none
 * @param content  the row's columns in a fixed order, the input of its hash and of its outputs' fingerprint
 */
public record BatchRow(long number, String name, String id, String prompt, String negativePrompt, Long seed,
        int steps, double guidanceScale, String scheduler, Integer width, Integer height, int samples,
        List<String> loras, String content) implements Serializable {

    /** The seed this row runs with: its own, else one derived from the run seed and its name. */
    public long effectiveSeed(long runSeed) {
        return seed != null ? seed : RowSeeds.derive(runSeed, name);
    }

    /** The request {@code vega generate} builds from the same options (see GenerateCommand). */
    public GenerationRequest request(long runSeed) {
        return GenerationRequest.builder(prompt).negativePrompt(negativePrompt).steps(steps)
                .guidanceScale(guidanceScale).seed(effectiveSeed(runSeed)).scheduler(scheduler).width(width)
                .height(height).samples(samples).build();
    }
}
