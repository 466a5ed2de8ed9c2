package dev.vega4j.server;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real headless Chromium: type a prompt, press Generate, watch the progress bar (server-sent events)
 * and see the image with its parameters and a download link. Chromium and chromedriver come from Debian's
 * {@code chromium} / {@code chromium-driver} packages ({@code .ci/run} installs them); when they are missing this test
 * fails rather than skips, so CI cannot silently stop testing the page. Every wait is bounded.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebPageBrowserTest {

    @Test
    void generateAnImageFromThePage(@TempDir Path profile) {
        FakePipeline fake = new FakePipeline(40);
        try (VegaServer server = VegaServer.start(ServerConfig.builder().port(0).build(),
                Map.of("segmind-vega", fake)); HeadlessChromium chromium = HeadlessChromium.start(profile)) {
            ChromeDriver driver = chromium.driver();
            driver.get("http://127.0.0.1:" + server.port() + "/");
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
            // The model and scheduler lists are filled from the A1111 listing routes.
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#model option")));

            driver.findElement(By.id("prompt")).sendKeys("a lighthouse at dusk");
            driver.findElement(By.id("negative")).sendKeys("fog");
            driver.findElement(By.cssSelector("#advanced summary")).click();
            WebElement steps = driver.findElement(By.id("steps"));
            steps.clear();
            steps.sendKeys("12");
            WebElement seed = driver.findElement(By.id("seed"));
            driver.findElement(By.id("dice")).click();
            assertThat(seed.getDomProperty("value")).isNotEqualTo("-1");
            seed.clear();
            seed.sendKeys("77");
            driver.findElement(By.id("generate")).click();

            WebElement img = wait.until(ExpectedConditions.presenceOfElementLocated(
                    By.cssSelector("#results img.result")));
            wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                    "const i = document.querySelector('#results img.result');"
                            + " return i.complete && i.naturalWidth > 0;"));
            assertThat(img.getDomProperty("src")).startsWith("data:image/png;base64,");
            assertThat(driver.findElement(By.cssSelector("#results figcaption")).getText())
                    .contains("a lighthouse at dusk", "Negative prompt: fog", "Steps: 12", "Seed: 77");
            WebElement download = driver.findElement(By.cssSelector("#results a.download"));
            assertThat(download.getDomAttribute("download")).isEqualTo("vega-77-1.png");
            assertThat(driver.findElement(By.id("status")).getText()).contains("Done", "77");
            assertThat(driver.findElement(By.id("bar")).getDomAttribute("style")).contains("100%");
            assertThat(fake.calls.get()).isEqualTo(1);
            Long px = (Long) ((JavascriptExecutor) driver).executeScript(
                    "return document.querySelector('#results img.result').naturalWidth;");
            assertThat(px).isEqualTo(64L);
        }
    }
}
