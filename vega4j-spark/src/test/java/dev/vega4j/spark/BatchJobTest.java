package dev.vega4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vega4j.conformance.Golden;
import dev.vega4j.io.SafetensorsFile;
import dev.vega4j.pipeline.DiffusionPipeline;
import dev.vega4j.pipeline.GenerationRequest;
import dev.vega4j.pipeline.VaeImageProcessor;
import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import dev.vega4j.pipeline.GenerationResult;
import dev.vega4j.pipeline.ImageFiles;
import dev.vega4j.pipeline.Pipeline;
import dev.vega4j.pipeline.Pipelines;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The batch job in local[2] on the tiny golden pipelines (64x64, one step). */
@Timeout(600)
class BatchJobTest {
    static SparkSession spark;
    static final String MODEL = Golden.root().resolve("tiny-vega").toString();

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("BatchJobTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Twelve rows: ten good (one without id or seed), two bad (no prompt; a size that is no multiple of 8). */
    static String twelveRows() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= 12; i++) {
            String row = switch (i) {
                case 4 -> "{\"id\":\"r4\",\"negative_prompt\":\"blurry\",\"seed\":4}";
                case 9 -> "{\"id\":\"r9\",\"prompt\":\"a cat\",\"width\":60,\"height\":64,\"seed\":9}";
                case 11 -> "{\"prompt\":\"no id here\",\"steps\":1,\"width\":64,\"height\":64}";
                default -> "{\"id\":\"r" + i + "\",\"prompt\":\"a lighthouse number " + i + "\",\"seed\":" + (100 + i)
                        + ",\"steps\":1,\"width\":64,\"height\":64" + (i == 2 ? ",\"negative_prompt\":\"fog\"" : "")
                        + (i == 3 ? ",\"guidance_scale\":3.5,\"scheduler\":\"Euler a\"" : "") + "}";
            };
            sb.append(row).append('\n');
        }
        return sb.toString();
    }

    BatchOptions options(Path input, Path out, Integer partitions, boolean force) {
        return new BatchOptions(MODEL, input.toString(), out.toString(), null, partitions, 5, force,
                BatchOptions.ImageFormat.PNG, BatchOptions.ResultsFormat.PARQUET, false);
    }

    static BatchJob.Summary run(BatchOptions o) {
        return BatchJob.run(spark, o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @Test
    void tenImagesTwelveResultsBadRowsNamedAndResumeRedoesExactlyTheMissingRows() throws Exception {
        Path input = Files.writeString(tmp.resolve("prompts.jsonl"), twelveRows());
        Path out = tmp.resolve("out");
        BatchJob.Summary s = run(options(input, out, 3, false));
        assertThat(s.rows()).isEqualTo(12);
        assertThat(s.generated()).isEqualTo(10);
        assertThat(s.failed()).isEqualTo(2);
        assertThat(s.errors()).containsExactly("row 4: prompt is missing",
                "row 9: width must be a multiple of 8 (the VAE's downscaling factor), got 60");
        assertThat(images(out)).hasSize(10);

        List<Row> rows = spark.read().parquet(out.resolve("results.parquet").toString()).orderBy("row")
                .collectAsList();
        assertThat(rows).hasSize(12);
        Map<Long, BatchResult> byRow = new HashMap<>();
        for (Row r : rows) {
            byRow.put(r.getLong(0), BatchResult.fromRow(r));
        }
        assertThat(byRow.get(4L).status()).isEqualTo(BatchResult.ERROR);
        assertThat(byRow.get(4L).id()).isEqualTo("r4");
        assertThat(byRow.get(1L).file()).isEqualTo("images/r1.png");
        assertThat(byRow.get(1L).seed()).isEqualTo(101);
        assertThat(byRow.get(3L).scheduler()).isEqualTo("Euler a");
        BatchResult seedless = byRow.get(11L);
        assertThat(seedless.id()).isNull();
        assertThat(seedless.file()).matches("images/row-[0-9a-f]{16}\\.png");
        String name = seedless.file().substring("images/".length(), seedless.file().length() - 4);
        assertThat(seedless.seed()).isEqualTo(RowSeeds.derive(5, name));
        for (BatchResult r : byRow.values()) {
            if (r.status().equals(BatchResult.OK)) {
                assertThat(r.sha256()).isEqualTo(RowGenerator.sha256(out.resolve(r.file())));
                assertThat(r.width()).isEqualTo(64);
            }
        }

        // the image of a row is the PNG vega generate writes for the same request (same code, same bytes)
        try (Pipeline p = Pipelines.load(MODEL)) {
            GenerationResult g = p.generate(GenerationRequest.builder("a lighthouse number 2").negativePrompt("fog")
                    .seed(102).steps(1).size(64, 64).build());
            assertThat(Files.readAllBytes(out.resolve("images/r2.png")))
                    .isEqualTo(ImageFiles.png(g.images().getFirst(), g.parameters().a1111Infotext()));
        }

        // resume: the three deleted images are generated again (the same bytes), the other seven are left alone
        Map<String, byte[]> before = new HashMap<>();
        Map<String, FileTime> times = new HashMap<>();
        for (Path f : images(out)) {
            before.put(f.getFileName().toString(), Files.readAllBytes(f));
            times.put(f.getFileName().toString(), Files.getLastModifiedTime(f));
        }
        List<String> deleted = List.of("r1.png", "r5.png", "r12.png");
        for (String d : deleted) {
            Files.delete(out.resolve("images").resolve(d));
        }
        Thread.sleep(20);
        BatchJob.Summary again = run(options(input, out, 2, false));
        assertThat(again.generated()).isEqualTo(3);
        assertThat(again.kept()).isEqualTo(7);
        assertThat(again.failed()).isEqualTo(2);
        for (Path f : images(out)) {
            String n = f.getFileName().toString();
            assertThat(Files.readAllBytes(f)).as(n).isEqualTo(before.get(n));
            assertThat(Files.getLastModifiedTime(f).equals(times.get(n))).as(n + " untouched")
                    .isEqualTo(!deleted.contains(n));
        }
        assertThat(spark.read().parquet(out.resolve("results.parquet").toString()).count()).isEqualTo(12);

        // --force redoes every row, with any partitioning, to the same bytes
        BatchJob.Summary forced = run(options(input, out, 1, true));
        assertThat(forced.generated()).isEqualTo(10);
        assertThat(forced.kept()).isZero();
        for (Path f : images(out)) {
            assertThat(Files.readAllBytes(f)).isEqualTo(before.get(f.getFileName().toString()));
        }
    }

    @Test
    void csvAndParquetInputsAndJsonlResults() throws Exception {
        Path csv = Files.writeString(tmp.resolve("rows.csv"), """
                prompt,seed,steps,width,height,id,scheduler
                "a red fox, in snow",3,1,64,64,fox,
                a boat,4,1,64,64,boat,NoSuchSampler
                """);
        Path out = tmp.resolve("csv-out");
        BatchJob.Summary s = BatchJob.run(spark, new BatchOptions(MODEL, csv.toString(), out.toString(), null, null,
                0, false, BatchOptions.ImageFormat.PNG, BatchOptions.ResultsFormat.JSONL, false),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(s.generated()).isEqualTo(1);
        assertThat(s.errors()).singleElement().asString().startsWith("row 2: ").contains("NoSuchSampler");
        List<String> lines = Files.readAllLines(out.resolve("results.jsonl"));
        assertThat(lines).hasSize(2);
        assertThat(lines.getFirst()).contains("\"id\":\"fox\"", "\"prompt\":\"a red fox, in snow\"",
                "\"file\":\"images/fox.png\"", "\"status\":\"ok\"");

        // the same rows as Parquet (typed columns) give the same image
        Path parquet = tmp.resolve("rows.parquet");
        spark.read().option("header", "true").option("inferSchema", "true").csv(csv.toString()).write()
                .parquet(parquet.toString());
        Path out2 = tmp.resolve("parquet-out");
        run(options(parquet, out2, null, false));
        assertThat(Files.readAllBytes(out2.resolve("images/fox.png")))
                .isEqualTo(Files.readAllBytes(out.resolve("images/fox.png")));
    }

    @Test
    void duplicateIdsAndBrokenJsonLinesAreBadRows() throws Exception {
        Path input = Files.writeString(tmp.resolve("dup.jsonl"), """
                {"id":"a","prompt":"one","seed":1,"steps":1,"width":64,"height":64}
                {"id":"a","prompt":"two","seed":2,"steps":1,"width":64,"height":64}
                {"id":"b","prompt":"three"
                """);
        Path out = tmp.resolve("dup-out");
        BatchJob.Summary s = run(new BatchOptions(MODEL, input.toString(), out.toString(), null, null, 0, false,
                BatchOptions.ImageFormat.JPEG, BatchOptions.ResultsFormat.PARQUET, false));
        assertThat(s.generated()).isEqualTo(1);
        byte[] jpeg = Files.readAllBytes(out.resolve("images/a.jpg"));
        assertThat(jpeg[0] & 0xff).isEqualTo(0xFF); // JPEG's SOI marker
        assertThat(jpeg[1] & 0xff).isEqualTo(0xD8);
        assertThat(s.errors()).hasSize(2);
        assertThat(s.errors().get(0)).startsWith("row 2: id 'a' is already used by row 1");
        assertThat(s.errors().get(1)).startsWith("row 3: not a JSON object");
    }

    @Test
    void latentsModeWritesTheFinalLatentsOfTheImage() throws Exception {
        Path input = Files.writeString(tmp.resolve("l.jsonl"), """
                {"id":"fox","prompt":"a red fox","seed":21,"steps":2,"width":64,"height":64,"samples":2}
                """);
        Path out = tmp.resolve("latents-out");
        BatchJob.Summary s = run(new BatchOptions(MODEL, input.toString(), out.toString(), null, null, 0, false,
                BatchOptions.ImageFormat.PNG, BatchOptions.ResultsFormat.PARQUET, true));
        assertThat(s.generated()).isEqualTo(1);
        assertThat(s.outputs()).isEqualTo(2);
        assertThat(out.resolve("images")).doesNotExist();
        try (Pipeline p = Pipelines.load(MODEL)) {
            DiffusionPipeline dp = (DiffusionPipeline) p;
            GenerationResult g = p.generate(GenerationRequest.builder("a red fox").seed(21).steps(2).size(64, 64)
                    .samples(2).build());
            for (int k = 1; k <= 2; k++) {
                Tensor latents;
                try (SafetensorsFile f = SafetensorsFile.open(out.resolve("latents/fox-" + k + ".safetensors"))) {
                    assertThat(f.metadata()).containsEntry("prompt", "a red fox").containsEntry("sample", "" + k);
                    latents = f.load(FinalLatents.TENSOR);
                }
                assertThat(latents.shape()).containsExactly(1, 4, 64 / dp.vae().scaleFactor(), 64 / dp.vae().scaleFactor());
                // decoded, the stored latents are the image vega generate makes of the same request, pixel for pixel
                BufferedImage decoded = VaeImageProcessor.toImage(dp.decode(latents), 0);
                BufferedImage image = g.images().get(k - 1);
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        assertThat(decoded.getRGB(x, y)).isEqualTo(image.getRGB(x, y));
                    }
                }
            }
        }
    }

    static List<Path> images(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.resolve("images"))) {
            return new ArrayList<>(s.sorted().toList());
        }
    }
}
