package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import dev.vega4j.pipeline.folder.PipelineFolder;
import dev.vega4j.prompt.WeightedPromptEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page's LoRA picker and prompt-weighting checkbox in headless Chromium, against the tiny golden Vega with one
 * golden adapter offered: both appear, and what is picked reaches the job (and the image's parameters). Needs the same
 * Debian packages as {@link WebPageBrowserTest}.
 */
@Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebPageLoraBrowserTest {

    @Test
    void pickALoraAndPromptWeighting(@TempDir Path tmp) throws Exception {
        Path loras = Files.createDirectories(tmp.resolve("loras"));
        Files.copy(Golden.root().resolve("cases/lora/lora_kohya.safetensors"), loras.resolve("kohya-style.safetensors"));
        Path tinyDir = Golden.root().resolve("tiny-vega");
        DiffusionPipeline tiny = (DiffusionPipeline) Pipelines.load(tinyDir.toString());
        Pipeline weighted = WeightedPromptEncoder.enable(tiny, PipelineFolder.openConfigsOnly(tinyDir),
                WeightedPromptEncoder.Options.A1111);
        try (VegaServer server = VegaServer.start(ServerConfig.builder().port(0).build(), Map.of("tiny-vega", tiny),
                new RequestFeatures(LoraLibrary.builder().addDir(loras).build(), Map.of("tiny-vega", weighted)));
                HeadlessChromium chromium = HeadlessChromium.start(tmp)) {
            ChromeDriver driver = chromium.driver();
            driver.get("http://127.0.0.1:" + server.port() + "/");
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#lora option[value='kohya-style']")));
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("loraBox")));
            assertThat(driver.findElement(By.id("weightingBox")).isDisplayed()).isTrue();

            driver.findElement(By.id("prompt")).sendKeys("a (boat:1.3) at sea");
            new Select(driver.findElement(By.id("lora"))).selectByValue("kohya-style");
            WebElement scale = driver.findElement(By.id("loraScale"));
            scale.clear();
            scale.sendKeys("0.5");
            driver.findElement(By.id("weighting")).click();
            driver.findElement(By.cssSelector("#advanced summary")).click();
            for (String[] f : new String[][] {{"steps", "1"}, {"seed", "5"}, {"width", "64"}, {"height", "64"}}) {
                WebElement e = driver.findElement(By.id(f[0]));
                e.clear();
                e.sendKeys(f[1]);
            }
            driver.findElement(By.id("generate")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#results img.result")));
            wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                    "const i = document.querySelector('#results img.result');"
                            + " return i.complete && i.naturalWidth > 0;"));
            assertThat(driver.findElement(By.cssSelector("#results figcaption")).getText())
                    .contains("a (boat:1.3) at sea <lora:kohya-style:0.5>", "Seed: 5", "Lora hashes:");
            assertThat(server.engine().jobs()).singleElement().satisfies(job -> {
                assertThat(job.options().promptWeighting()).isTrue();
                assertThat(job.options().loras()).singleElement().satisfies(
                        u -> assertThat(u.unetScale()).isEqualTo(0.5f));
            });
        }
    }
}
