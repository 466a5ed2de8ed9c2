package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.PipelineLoader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page's live preview in headless Chromium with the tiny golden Vega: while the job is held after its second
 * step the preview has replaced the empty frame (a screenshot of it shows a picture, not a blank box), and once the job
 * finishes the final image replaces the preview.
 */
@Timeout(value = 150, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebPagePreviewBrowserTest {

    @Test
    void thePreviewReplacesTheEmptyFrameWhileTheJobRuns(@TempDir Path tmp) throws Exception {
        DiffusionPipeline tiny = PipelineLoader.load(Golden.root().resolve("tiny-vega"));
        HeldPreviews held = new HeldPreviews(tiny, 0, 2);
        try (VegaServer server = VegaServer.start(ServerConfig.builder().port(0).build(), Map.of("tiny-vega", held));
                HeadlessChromium chromium = HeadlessChromium.start(tmp)) {
            ChromeDriver driver = chromium.driver();
            try {
                driver.get("http://127.0.0.1:" + server.port() + "/");
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#model option")));
                assertThat(driver.findElement(By.cssSelector("#results .empty")).isDisplayed()).isTrue();

                driver.findElement(By.id("prompt")).sendKeys("a lighthouse at dusk");
                driver.findElement(By.cssSelector("#advanced summary")).click();
                for (String[] f : new String[][] {{"steps", "4"}, {"seed", "11"}, {"width", "64"}, {"height", "64"}}) {
                    WebElement e = driver.findElement(By.id(f[0]));
                    e.clear();
                    e.sendKeys(f[1]);
                }
                driver.findElement(By.id("generate")).click();

                // mid-run: the job waits after step 2's preview until released below
                assertThat(held.held.await(60, TimeUnit.SECONDS)).isTrue();
                WebElement preview = wait.until(ExpectedConditions.presenceOfElementLocated(
                        By.cssSelector("#results img.preview")));
                wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                        "const i = document.querySelector('#results img.preview');"
                                + " return i.complete && i.naturalWidth > 0 && i.dataset.step === '2';"));
                assertThat(preview.getDomProperty("src")).startsWith("data:image/jpeg;base64,");
                assertThat(driver.findElements(By.cssSelector("#results .empty"))).isEmpty();
                assertThat(driver.findElements(By.cssSelector("#results img.result"))).isEmpty();
                BufferedImage shot = ImageIO.read(new ByteArrayInputStream(preview.getScreenshotAs(OutputType.BYTES)));
                assertThat(shot.getWidth()).isGreaterThan(16);
                assertThat(distinctColours(shot)).as("the screenshot shows a picture").isGreaterThan(8);
            } finally {
                held.release();
            }
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#results img.result")));
            assertThat(driver.findElements(By.cssSelector("#results img.preview"))).isEmpty();
            assertThat(driver.findElement(By.id("status")).getText()).contains("Done", "11");
        } finally {
            tiny.close();
        }
    }

    static int distinctColours(BufferedImage img) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                colours.add(img.getRGB(x, y) & 0xffffff);
            }
        }
        return colours.size();
    }
}
