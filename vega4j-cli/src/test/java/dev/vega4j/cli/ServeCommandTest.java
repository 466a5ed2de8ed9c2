package dev.vega4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.vega4j.VegaException;
import dev.vega4j.server.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServeCommandTest {

    static ServeCommand parse(String... args) {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void slugsComeFromModelNames() {
        assertThat(ServeCommand.slugOf("segmind/Segmind-Vega")).isEqualTo("segmind-vega");
        assertThat(ServeCommand.slugOf("/models/sd_xl_base_1.0.safetensors")).isEqualTo("sd_xl_base_1.0");
        assertThat(ServeCommand.slugOf("stabilityai/stable-diffusion-xl-base-1.0")).isEqualTo("stable-diffusion-xl-base-1.0");
        assertThat(ServeCommand.slugOf("C:\\models\\SSD 1B")).isEqualTo("ssd-1b");
    }

    @Test
    void modelsDefaultToVegaAndCanBeNamed() {
        assertThat(parse().modelSpecs()).containsExactly(java.util.Map.entry("segmind-vega", "segmind/Segmind-Vega"));
        assertThat(parse("-m", "tiny=/work/tiny-vega", "--model", "stabilityai/sdxl-turbo").modelSpecs())
                .containsKeys("tiny", "sdxl-turbo");
        assertThatThrownBy(() -> parse("-m", "a=x", "-m", "a=y").modelSpecs()).isInstanceOf(VegaException.class)
                .hasMessageContaining("two models are named 'a'");
    }

    @Test
    void configsGoToTheirSingleFileModelOrToEvery() {
        ServeCommand c = parse("-m", "a=x.safetensors", "-m", "b=y.safetensors", "--config", "b=/cfg/b",
                "--config", "org/any-configs");
        assertThat(c.configsFor("a")).isEqualTo("org/any-configs");
        assertThat(c.configsFor("b")).isEqualTo("/cfg/b");
        assertThat(parse("-m", "a=x.safetensors", "--config", "a=/cfg/a").configsFor("a")).isEqualTo("/cfg/a");
        assertThat(parse("-m", "a=x.safetensors").configsFor("a")).isNull();
    }

    @Test
    void onlyLocalFilesAreSingleFileModels(@org.junit.jupiter.api.io.TempDir Path tmp) throws java.io.IOException {
        Path file = java.nio.file.Files.writeString(tmp.resolve("m.safetensors"), "x");
        assertThat(ServeCommand.isLocalFile(file.toString())).isTrue();
        assertThat(ServeCommand.isLocalFile(tmp.toString())).isFalse();
        assertThat(ServeCommand.isLocalFile("segmind/Segmind-Vega")).isFalse();
        assertThat(ServeCommand.isLocalFile(tmp.resolve("missing.safetensors").toString())).isFalse();
    }

    @Test
    void presetVegartServesTheFirstModelAsSegmindVegaRtWithTheLcmLora() {
        ServeCommand c = parse("--preset", "vegart", "--lora", "style.safetensors:0.5");
        assertThat(c.modelSpecs()).containsExactly(java.util.Map.entry("segmind-vega-rt", "segmind/Segmind-Vega"));
        assertThat(c.loraSpecs()).containsExactly(new dev.vega4j.lora.LoraSpec("segmind/Segmind-VegaRT", 1f),
                new dev.vega4j.lora.LoraSpec("style.safetensors", 0.5f));
        ServeCommand local = parse("--preset", "VegaRT", "--vegart-lora", "/loras/vegart.safetensors",
                "-m", "/models/vega", "-m", "other=/models/x");
        assertThat(local.modelSpecs()).containsKeys("segmind-vega-rt", "other");
        assertThat(local.loraSpecs().getFirst().source()).isEqualTo("/loras/vegart.safetensors");
        assertThatThrownBy(() -> parse("--preset", "turbo").modelSpecs()).isInstanceOf(VegaException.class)
                .hasMessageContaining("unknown preset 'turbo'");
    }

    @Test
    void optionsBecomeTheServerConfig() {
        ServerConfig c = parse("--host", "0.0.0.0", "--port", "9000", "--queue", "3", "--max-side", "1024",
                "--quota-per-day", "100", "--data-dir", "/tmp/vega-test-data", "--rate-limit", "10").config();
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.queueCapacity()).isEqualTo(3);
        assertThat(c.maxSide()).isEqualTo(1024);
        assertThat(c.defaultDailyQuota()).isEqualTo(100);
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/vega-test-data"));
        assertThat(c.rateLimitPerMinute()).isEqualTo(10);
    }

    @Test
    void namedLorasAreOfferedPerRequestAndOthersFused() {
        java.nio.file.Path golden = dev.vega4j.conformance.Golden.root().resolve("cases/lora");
        ServeCommand c = parse("--lora", "style=" + golden.resolve("lora_kohya.safetensors"), "--lora",
                "./a=b.safetensors:0.5", "--lora-dir", golden.toString(), "--lora-cache", "2");
        assertThat(c.loraSpecs()).containsExactly(new dev.vega4j.lora.LoraSpec("./a=b.safetensors", 0.5f));
        assertThat(ServeCommand.namedLora("x=org/repo")).containsExactly("x", "org/repo");
        assertThat(ServeCommand.namedLora("C:\\loras\\x.safetensors")).isNull();
        dev.vega4j.server.LoraLibrary lib = c.loraLibrary(dev.vega4j.hub.HubCache.fromEnvironment());
        assertThat(lib.names()).containsExactly("lora_diffusers", "lora_kohya", "lora_outputs", "lora_peft_layout",
                "style");
    }

    @Test
    void serveIsRegistered() {
        assertThat(VegaCli.commandLine().getSubcommands()).containsKey("serve");
    }
}
