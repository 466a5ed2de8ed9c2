package dev.vega4j.server;

import dev.vega4j.pipeline.ImageFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Image encoding for responses and safe decoding of client-supplied base64 images. */
public final class Images {
    private Images() {}

    /** Output formats the APIs accept. */
    public enum Format {
        PNG("image/png"), JPEG("image/jpeg");

        final String mime;

        Format(String mime) {
            this.mime = mime;
        }

        static Format parse(String field, String v) {
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "png" -> PNG;
                case "jpeg", "jpg" -> JPEG;
                default -> throw ApiException.badRequest(field + " must be png or jpeg, got '" + v + "'");
            };
        }
    }

    static byte[] encode(BufferedImage image, Format format, String parameters) {
        return format == Format.PNG ? ImageFiles.png(image, parameters) : ImageFiles.jpeg(image, 0.92f);
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** A live preview as the APIs carry it: {@code data:image/jpeg;base64,...}. */
    static String previewDataUrl(BufferedImage preview) {
        return "data:image/jpeg;base64," + base64(ImageFiles.jpeg(preview, 0.85f));
    }

    /**
     * Decodes a base64 image (a bare string or a {@code data:image/...;base64,} URL). Checks the declared size in the
     * header before decoding pixels, so a tiny file claiming 100000² pixels cannot exhaust memory.
     */
    static BufferedImage decodeBase64(String field, String text, int maxSide) {
        String s = text.strip();
        if (s.startsWith("data:")) {
            int comma = s.indexOf(',');
            if (comma < 0 || !s.substring(0, comma).endsWith(";base64")) {
                throw ApiException.badRequest(field + " is a data URL without ';base64,'");
            }
            s = s.substring(comma + 1);
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(s.replaceAll("\\s+", ""));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field + " is not valid base64: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw ApiException.badRequest(field + " is empty");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw ApiException.badRequest(field + " is not an image (expected PNG, JPEG, BMP or GIF)");
            }
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                int w = r.getWidth(0);
                int h = r.getHeight(0);
                if (w < 1 || h < 1 || w > maxSide || h > maxSide) {
                    throw ApiException.badRequest(field + " is " + w + "x" + h + " pixels; each side must be at most "
                            + maxSide);
                }
                BufferedImage img = r.read(0);
                if (img == null) {
                    throw ApiException.badRequest(field + " could not be decoded");
                }
                return img;
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException a) {
                throw a;
            }
            throw ApiException.badRequest(field + " is not a readable image: " + e.getMessage());
        }
    }
}
