package dev.vega4j.train.distill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vega4j.config.UNetConfig;
import dev.vega4j.conformance.Golden;
import dev.vega4j.models.unet.UNet2DConditionModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The vega recipe applied to the real SDXL base config gives exactly Segmind Vega's UNet (745.2M parameters). */
class PruneRecipeTest {
    @Test
    void vegaRecipeOnSdxlIsSegmindVega() {
        Path sdxl = Golden.root().resolve("realsize-configs/sdxl/unet/config.json");
        ObjectNode teacher = StudentPruner.readJson(sdxl);
        PruneRecipe r = PruneRecipe.vega(new int[] {1, 2, 10});
        assertThat(r.transformerLayers()).containsExactly(0, 1, 2);
        UNetConfig student = UNetConfig.fromJson(StudentPruner.studentConfig(teacher, r), "student");
        UNetConfig vega = UNetConfig.load(Golden.root().resolve("realsize-configs/vega/unet/config.json"));
        Map<String, int[]> ours = UNet2DConditionModel.parameterShapes(student);
        Map<String, int[]> theirs = UNet2DConditionModel.parameterShapes(vega);
        assertThat(ours.keySet()).containsExactlyElementsOf(theirs.keySet());
        long n = ours.values().stream().mapToLong(s -> dev.vega4j.tensor.Tensor.numel(s)).sum();
        assertThat(n).isBetween(745_000_000L, 745_400_000L);
        long sdxlParams = UNet2DConditionModel.parameterShapes(UNetConfig.load(sdxl)).values().stream()
                .mapToLong(s -> dev.vega4j.tensor.Tensor.numel(s)).sum();
        System.out.printf("SDXL UNet %,d -> Vega student %,d parameters%n", sdxlParams, n);
    }
}
