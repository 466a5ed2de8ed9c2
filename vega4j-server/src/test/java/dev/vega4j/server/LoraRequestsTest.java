package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.conformance.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request syntaxes for LoRA adapters (Segmind JSON, A1111 prompt tags) and the operator's library. */
class LoraRequestsTest {
    @TempDir
    static Path dir;
    static LoraLibrary library;

    @BeforeAll
    static void setUp() throws IOException {
        Path golden = Golden.root().resolve("cases/lora");
        Files.copy(golden.resolve("lora_kohya.safetensors"), dir.resolve("style.safetensors"));
        Files.copy(golden.resolve("lora_diffusers.safetensors"), dir.resolve("Other One.safetensors"));
        Files.writeString(dir.resolve("notes.txt"), "not an adapter");
        Files.copy(golden.resolve("lora_kohya.safetensors"), dir.resolve("bad:name.safetensors"));
        library = LoraLibrary.builder().addDir(dir).cacheSize(1).build();
    }

    static List<LoraUse> json(String body) {
        return LoraRequests.fromJson(Fields.parse(TestHttp.JSON, body.getBytes(StandardCharsets.UTF_8)), library);
    }

    static String scales(List<LoraUse> uses) {
        StringBuilder sb = new StringBuilder();
        for (LoraUse u : uses) {
            sb.append(u.name()).append('=').append(u.textEncoderScale()).append('/').append(u.unetScale()).append(';');
        }
        return sb.toString();
    }

    @Test
    void libraryOffersEverySafetensorsFileByStemAndSkipsUnusableNames() {
        assertThat(library.names()).containsExactly("Other One", "style");
        assertThat(LoraLibrary.validName("a:b")).isFalse();
        assertThat(LoraLibrary.validName("..")).isFalse();
        assertThat(LoraLibrary.validName("x/y")).isFalse();
        assertThat(LoraLibrary.validName("my style v2.1")).isTrue();
        assertThatThrownBy(() -> LoraLibrary.builder().add("../x", dir.resolve("style.safetensors")))
                .isInstanceOf(VegaException.class).hasMessageContaining("cannot be used in requests");
        assertThatThrownBy(() -> LoraLibrary.builder().addDir(dir.resolve("missing")))
                .hasMessageContaining("does not exist");
    }

    @Test
    void theCacheIsBounded() {
        library.adapter(library.find("t", "style"));
        library.adapter(library.find("t", "Other One"));
        assertThat(library.cached()).isEqualTo(1);
        assertThat(library.shortHash(library.find("t", "style"))).matches("[0-9a-f]{12}");
    }

    @Test
    void segmindFieldIsLenientInShape() {
        assertThat(scales(json("{\"lora\":\"style\"}"))).isEqualTo("style=1.0/1.0;");
        assertThat(scales(json("{\"lora\":\"style:0.25\"}"))).isEqualTo("style=0.25/0.25;");
        assertThat(scales(json("{\"lora\":[\"style:-1\",{\"name\":\"Other One\",\"strength\":\"2\"}]}")))
                .isEqualTo("style=-1.0/-1.0;Other One=2.0/2.0;");
        assertThat(scales(json("{\"loras\":{\"name\":\"style\",\"weight\":0.5}}"))).isEqualTo("style=0.5/0.5;");
        assertThat(json("{\"lora\":null}")).isEmpty();
        assertThat(json("{\"lora\":\"\"}")).isEmpty();
        assertThat(json("{\"lora\":[]}")).isEmpty();
        assertThatThrownBy(() -> json("{\"lora\":\"style\",\"loras\":\"style\"}"))
                .hasMessageContaining("either lora or loras");
        assertThatThrownBy(() -> json("{\"lora\":[\"style\",\"style\",\"style\",\"style\",\"style\",\"style\","
                + "\"style\",\"style\",\"style\"]}")).hasMessageContaining("at most 8");
        assertThatThrownBy(() -> json("{\"lora\":\"style:1:2\"}")).hasMessageContaining("name:scale");
        assertThatThrownBy(() -> json("{\"lora\":{\"scale\":1}}")).hasMessageContaining("lora.name is required");
    }

    @Test
    void a1111TagsAreRemovedExactlyAndReadLikeA1111() {
        LoraRequests.Extracted e = LoraRequests.fromPrompt("prompt",
                "a cat, <lora:style:0.8> in <lyco:Other One:0.5:1.5>the rain<lora:style>", library);
        assertThat(e.text()).isEqualTo("a cat,  in the rain");
        assertThat(scales(e.loras())).isEqualTo("style=0.8/0.8;Other One=0.5/1.5;style=1.0/1.0;");
        assertThat(scales(LoraRequests.fromPrompt("p", "<lora:style:te=0.5>", library).loras()))
                .isEqualTo("style=0.5/0.5;");
        assertThat(scales(LoraRequests.fromPrompt("p", "<lora:style:1:unet=0.25>", library).loras()))
                .isEqualTo("style=1.0/0.25;");
        assertThat(LoraRequests.fromPrompt("p", "plain (text:1.2) <no colon>", library).text())
                .isEqualTo("plain (text:1.2) <no colon>");
        assertThat(LoraRequests.fromPrompt("p", null, library).loras()).isEmpty();
        assertThatThrownBy(() -> LoraRequests.fromPrompt("p", "<lora:style:1:dyn=4>", library))
                .hasMessageContaining("dyn");
        assertThatThrownBy(() -> LoraRequests.fromPrompt("p", "<lora:bad:name:1>", library))
                .hasMessageContaining("unknown LoRA 'bad'");
    }

    @Test
    void tagsFormatTheScalesShortly() {
        LoraLibrary.Entry e = library.find("t", "style");
        assertThat(new LoraUse("style", 1f, 1f, e, "h").tag()).isEqualTo("<lora:style:1>");
        assertThat(new LoraUse("style", 0.7f, 0.7f, e, "h").tag()).isEqualTo("<lora:style:0.7>");
        assertThat(new LoraUse("style", 0.5f, -2f, e, "h").tag()).isEqualTo("<lora:style:0.5:-2>");
    }
}
