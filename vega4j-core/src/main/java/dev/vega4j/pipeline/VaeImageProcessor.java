package dev.vega4j.pipeline;

import dev.vega4j.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * diffusers' {@code VaeImageProcessor} (image_processor.py, 0.26.3) for PIL inputs: optional Lanczos resize to the
 * requested size (default: the image size rounded down to a multiple of the VAE scale factor), {@code u8 / 255} in
 * float32, then {@code 2x - 1} for images, or binarisation at 0.5 for inpainting masks; and the way back
 * ({@code (x / 2 + 0.5).clamp(0, 1)}, {@code numpy_to_pil}'s {@code (x * 255).round()}).
 */
public final class VaeImageProcessor {
    private VaeImageProcessor() {}

    /** {@code get_default_height_width}: given sizes win, else the image's, both rounded down to a multiple. */
    public static int[] defaultHeightWidth(BufferedImage image, Integer height, Integer width, int vaeScaleFactor) {
        int h = height != null ? height : image.getHeight();
        int w = width != null ? width : image.getWidth();
        return new int[] {h - h % vaeScaleFactor, w - w % vaeScaleFactor};
    }

    /** {@code image_processor.preprocess(image, height, width)}: [1, 3, H, W] in [-1, 1]. */
    public static Tensor preprocessImage(BufferedImage image, int height, int width) {
        int[][] rgb = rgbPlanes(image);
        int w0 = image.getWidth(), h0 = image.getHeight();
        Tensor t = Tensor.zeros(1, 3, height, width);
        float[] d = t.data();
        int plane = height * width;
        for (int c = 0; c < 3; c++) {
            int[] p = PilLanczos.resize(rgb[c], w0, h0, width, height);
            for (int i = 0; i < plane; i++) {
                float v = (float) p[i] / 255f;
                d[c * plane + i] = 2f * v - 1f;
            }
        }
        return t;
    }

    /**
     * {@code mask_processor.preprocess(mask, height, width)} (do_normalize False, do_binarize True,
     * do_convert_grayscale True): [1, 1, H, W] with 1 where {@code u8 / 255 >= 0.5}, else 0.
     */
    public static Tensor preprocessMask(BufferedImage mask, int height, int width) {
        int[] gray = PilLanczos.resize(grayPlane(mask), mask.getWidth(), mask.getHeight(), width, height);
        Tensor t = Tensor.zeros(1, 1, height, width);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            float v = (float) gray[i] / 255f;
            d[i] = v >= 0.5f ? 1f : 0f;
        }
        return t;
    }

    /** The grey mask before binarisation ({@code u8 / 255}), for diagnostics. */
    public static Tensor maskValues(BufferedImage mask) {
        int[] gray = grayPlane(mask);
        Tensor t = Tensor.zeros(1, 1, mask.getHeight(), mask.getWidth());
        for (int i = 0; i < gray.length; i++) {
            t.data()[i] = (float) gray[i] / 255f;
        }
        return t;
    }

    /** {@code denormalize}: VAE output [B, 3, H, W] to {@code (x / 2 + 0.5).clamp(0, 1)}, same layout. */
    public static Tensor denormalize(Tensor decoded) {
        Tensor out = Tensor.zeros(decoded.shape());
        float[] s = decoded.data(), o = out.data();
        for (int i = 0; i < s.length; i++) {
            float v = s[i] / 2f + 0.5f;
            o[i] = v < 0f ? 0f : (v > 1f ? 1f : v);
        }
        return out;
    }

    /** [B, 3, H, W] in [0, 1] to NHWC [B, H, W, 3] (diffusers' {@code output_type="np"}). */
    public static Tensor toNhwc(Tensor nchw) {
        int b = nchw.dim(0), c = nchw.dim(1), h = nchw.dim(2), w = nchw.dim(3);
        Tensor out = Tensor.zeros(b, h, w, c);
        float[] s = nchw.data(), o = out.data();
        for (int bi = 0; bi < b; bi++) {
            for (int ci = 0; ci < c; ci++) {
                for (int i = 0; i < h * w; i++) {
                    o[(bi * h * w + i) * c + ci] = s[(bi * c + ci) * h * w + i];
                }
            }
        }
        return out;
    }

    /** {@code numpy_to_pil}: entry {@code index} of [B, 3, H, W] in [0, 1] to 8-bit RGB with round-half-even. */
    public static BufferedImage toImage(Tensor image01, int index) {
        int h = image01.dim(2), w = image01.dim(3);
        int plane = h * w;
        float[] s = image01.data();
        int base = index * 3 * plane;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[plane];
        for (int i = 0; i < plane; i++) {
            int r = to8(s[base + i]), g = to8(s[base + plane + i]), b = to8(s[base + 2 * plane + i]);
            px[i] = (r << 16) | (g << 8) | b;
        }
        img.setRGB(0, 0, w, h, px, 0, w);
        return img;
    }

    private static int to8(float v) {
        return (int) Math.rint(v * 255f);
    }

    /**
     * The image as PIL would give it in mode RGB: alpha dropped, grey replicated. Single-band rasters are read as
     * stored (AWT's getRGB would convert linear grey to sRGB).
     */
    static int[][] rgbPlanes(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        int[][] p = new int[3][w * h];
        Raster r = image.getRaster();
        if (r.getNumBands() == 1 && !(image.getColorModel() instanceof IndexColorModel)) {
            int[] g = grayPlane(image);
            for (int c = 0; c < 3; c++) {
                p[c] = g.clone();
            }
            return p;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            p[0][i] = (argb[i] >> 16) & 0xff;
            p[1][i] = (argb[i] >> 8) & 0xff;
            p[2][i] = argb[i] & 0xff;
        }
        return p;
    }

    /** The image in PIL mode L: grey rasters as stored, colour through Pillow's ITU-R 601-2 luma (fixed point). */
    static int[] grayPlane(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        Raster r = image.getRaster();
        int[] out = new int[w * h];
        if (r.getNumBands() == 1 && !(image.getColorModel() instanceof IndexColorModel)) {
            int bits = image.getColorModel().getComponentSize(0);
            r.getSamples(0, 0, w, h, 0, out);
            if (bits > 8) {
                for (int i = 0; i < out.length; i++) {
                    out[i] >>= bits - 8;
                }
            }
            return out;
        }
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) {
            int rr = (argb[i] >> 16) & 0xff, gg = (argb[i] >> 8) & 0xff, bb = argb[i] & 0xff;
            out[i] = (rr * 19595 + gg * 38470 + bb * 7471 + 0x8000) >> 16;
        }
        return out;
    }
}
