package dev.vega4j.pipeline;

import dev.vega4j.VegaException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Reads and writes images the way other tools expect: PNG carries the generation parameters in a {@code tEXt} chunk
 * named {@code parameters} (AUTOMATIC1111's convention, read by A1111, ComfyUI and most viewers); JPEG for
 * {@code .jpg}/{@code .jpeg}. Files appear atomically, so an interrupted write never leaves a corrupt image.
 */
public final class ImageFiles {
    private ImageFiles() {}

    /** PNG bytes with an optional {@code parameters} text chunk. */
    public static byte[] png(BufferedImage image, String parameters) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writePng(image, parameters, out);
        return out.toByteArray();
    }

    public static byte[] jpeg(BufferedImage image, float quality) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam p = w.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                w.setOutput(ios);
                w.write(null, new IIOImage(rgb(image), null, null), p);
            } finally {
                w.dispose();
            }
        } catch (IOException e) {
            throw new VegaException("cannot encode JPEG: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Writes PNG (with parameters) or, for .jpg/.jpeg names, JPEG; atomically. */
    public static void write(BufferedImage image, String parameters, Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        byte[] bytes = name.endsWith(".jpg") || name.endsWith(".jpeg") ? jpeg(image, 0.92f) : png(image, parameters);
        try {
            Path tmp = newTempFile(path);
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new VegaException("cannot write " + path + ": " + reason(e), e);
        }
    }

    /**
     * Fails now, with the reason, if {@link #write} could not create {@code path} (its folder is a file, read-only,
     * ...), so a long generation is not thrown away at the end; creates missing folders as {@code write} does.
     */
    public static void checkWritable(Path path) {
        if (Files.isDirectory(path)) {
            throw new VegaException("cannot write " + path + ": it is a folder");
        }
        try {
            Files.delete(newTempFile(path));
        } catch (IOException e) {
            throw new VegaException("cannot write " + path + ": " + reason(e), e);
        }
    }

    /**
     * A fresh hidden file next to {@code path}. {@code Files.createFile} gives it the usual permissions of a new file
     * (0666 less the umask), where {@code Files.createTempFile} would make the image readable by its owner only.
     */
    private static Path newTempFile(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        while (true) {
            String suffix = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            try {
                return Files.createFile(dir.resolve("." + path.getFileName() + "." + suffix + ".tmp"));
            } catch (FileAlreadyExistsException taken) {
                // another writer's temporary file: draw another name
            }
        }
    }

    private static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException a -> "permission denied (" + a.getFile() + ")";
            case FileAlreadyExistsException f -> f.getFile() + " exists and is not a folder";
            case NoSuchFileException n -> n.getFile() + " does not exist";
            case FileSystemException f when f.getReason() != null -> f.getReason() + " (" + f.getFile() + ")";
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }

    private static void writePng(BufferedImage image, String parameters, OutputStream out) {
        ImageWriter w = ImageIO.getImageWritersByFormatName("png").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            ImageWriteParam p = w.getDefaultWriteParam();
            IIOMetadata meta = w.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), p);
            if (parameters != null) {
                addText(meta, "parameters", parameters);
            }
            w.setOutput(ios);
            w.write(null, new IIOImage(image, null, meta), p);
        } catch (IOException e) {
            throw new VegaException("cannot encode PNG: " + e.getMessage(), e);
        } finally {
            w.dispose();
        }
    }

    private static void addText(IIOMetadata meta, String key, String value) throws IIOInvalidTreeException {
        // tEXt is Latin-1 only; non-Latin-1 prompts go into an iTXt chunk (UTF-8), which A1111 also reads.
        boolean latin1 = value.chars().allMatch(c -> c < 256);
        IIOMetadataNode root = new IIOMetadataNode("javax_imageio_png_1.0");
        if (latin1) {
            IIOMetadataNode text = new IIOMetadataNode("tEXt");
            IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
            entry.setAttribute("keyword", key);
            entry.setAttribute("value", value);
            text.appendChild(entry);
            root.appendChild(text);
        } else {
            IIOMetadataNode text = new IIOMetadataNode("iTXt");
            IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
            entry.setAttribute("keyword", key);
            entry.setAttribute("compressionFlag", "FALSE");
            entry.setAttribute("compressionMethod", "0");
            entry.setAttribute("languageTag", "");
            entry.setAttribute("translatedKeyword", "");
            entry.setAttribute("text", value);
            text.appendChild(entry);
            root.appendChild(text);
        }
        meta.mergeTree("javax_imageio_png_1.0", root);
    }

    /** The {@code parameters} text of a PNG written by vega4j or AUTOMATIC1111; null when absent. */
    public static String readParameters(byte[] png) {
        try (var iis = ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(png))) {
            var readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                return null;
            }
            var r = readers.next();
            r.setInput(iis);
            IIOMetadata meta = r.getImageMetadata(0);
            var root = (IIOMetadataNode) meta.getAsTree("javax_imageio_png_1.0");
            for (String chunk : new String[] {"tEXtEntry", "iTXtEntry"}) {
                var entries = root.getElementsByTagName(chunk);
                for (int i = 0; i < entries.getLength(); i++) {
                    var e = (IIOMetadataNode) entries.item(i);
                    if ("parameters".equals(e.getAttribute("keyword"))) {
                        return chunk.startsWith("t") ? e.getAttribute("value") : e.getAttribute("text");
                    }
                }
            }
            return null;
        } catch (IOException e) {
            throw new VegaException("cannot read PNG metadata: " + e.getMessage(), e);
        }
    }

    /** Decodes a PNG/JPEG/BMP/GIF; a clear error for anything that is not an image. */
    public static BufferedImage read(InputStream in, String what) {
        try {
            BufferedImage img = ImageIO.read(in);
            if (img == null) {
                throw new VegaException(what + " is not a readable image (PNG, JPEG, BMP or GIF)");
            }
            return img;
        } catch (IOException e) {
            throw new VegaException(what + " cannot be read: " + e.getMessage(), e);
        }
    }

    public static BufferedImage read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new VegaException("image file not found: " + path);
        }
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, path.toString());
        } catch (IOException e) {
            throw new VegaException(path + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static BufferedImage rgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB || image.getType() == BufferedImage.TYPE_3BYTE_BGR) {
            return image;
        }
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        out.getGraphics().drawImage(image, 0, 0, null);
        return out;
    }
}
