package dev.clipengine.fuzz;

import dev.clipengine.LargePng;
import dev.clipengine.io.ModelFile;
import dev.clipengine.model.ClipModel;
import dev.clipengine.model.ModelConfig;
import dev.clipengine.model.Vocabulary;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the fuzz tests' seeds that are not hand-written text:
 * {@code java -cp engine/target/test-classes:engine/target/classes:JACKSON dev.clipengine.fuzz.FuzzSeeds
 * engine/src/test/resources/dev/clipengine/fuzz}. Gzip seeds are stored without compression, so
 * that the fuzzer's mutations reach the headers inside them.
 */
public final class FuzzSeeds {

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);

        Path idx = Files.createDirectories(root.resolve("IdxFuzzTestInputs/readsOrRefuses"));
        byte[] images = ByteBuffer.allocate(16 + 18).putInt(0x803).putInt(2).putInt(3).putInt(3)
                .put(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}).array();
        Files.write(idx.resolve("images-2x3x3-stored.idx.gz"), storedGzip(images));
        byte[] labels = ByteBuffer.allocate(8 + 3).putInt(0x801).putInt(3).put(new byte[] {0, 9, 4}).array();
        Files.write(idx.resolve("labels-3-stored.idx.gz"), storedGzip(labels));

        Path vectors = Files.createDirectories(root.resolve("WordVectorsFuzzTestInputs/readsOrRefuses"));
        String text = "3 2\nthe 0.5 -1.25\nCat 3e-2 7\nsat 0 -0.75\n";
        Files.writeString(vectors.resolve("word2vec.txt"), text);
        Files.writeString(vectors.resolve("glove.txt"), text.substring(text.indexOf('\n') + 1));
        Files.write(vectors.resolve("word2vec-stored.txt.gz"), storedGzip(text.getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        binary.writeBytes("2 2\n".getBytes(StandardCharsets.UTF_8));
        for (String word : List.of("the", "cat")) {
            binary.writeBytes((word + " ").getBytes(StandardCharsets.UTF_8));
            binary.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.5f).putFloat(-2f).array());
            binary.write('\n');
        }
        Files.write(vectors.resolve("word2vec.bin"), binary.toByteArray());
        Files.write(vectors.resolve("word2vec-stored.bin.gz"), storedGzip(binary.toByteArray()));

        Path image = Files.createDirectories(root.resolve("TsvImageFuzzTestInputs/loadsOrRefuses"));
        BufferedImage rgb = new BufferedImage(5, 3, BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage rgba = new BufferedImage(3, 5, BufferedImage.TYPE_4BYTE_ABGR);
        BufferedImage grey16 = new BufferedImage(4, 4, BufferedImage.TYPE_USHORT_GRAY);
        BufferedImage palette = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(2, 2, new byte[] {0, (byte) 255}, new byte[] {0, 0}, new byte[] {0, 127}));
        for (int i = 0; i < 15; i++) {
            rgb.setRGB(i % 5, i / 5, i * 0x110F07);
            rgba.setRGB(i % 3, i / 3, i * 0x11070F03);
        }
        palette.setRGB(1, 1, 0xFF00007F);
        ImageIO.write(rgb, "png", image.resolve("rgb.png").toFile());
        ImageIO.write(rgba, "png", image.resolve("rgba.png").toFile());
        ImageIO.write(grey16, "png", image.resolve("grey16.png").toFile());
        ImageIO.write(palette, "png", image.resolve("palette.png").toFile());
        ImageIO.write(rgb, "jpeg", image.resolve("rgb.jpg").toFile());
        LargePng.headerOnly(image.resolve("declares-100-megapixels.png"), 10_000, 10_000, LargePng.GREY, 8);

        ClipModel model = ClipModel.initialize(ModelConfig.seed(4),
                new Vocabulary(List.of("<unk>", "red", "blue", "circle")), 1);
        Path metadata = Files.createDirectories(root.resolve("ModelMetadataFuzzTestInputs/loadsOrRefuses"));
        ByteArrayOutputStream configAndVocab = new ByteArrayOutputStream();
        configAndVocab.writeBytes(ModelFile.metadata(model).get("config").getBytes(StandardCharsets.UTF_8));
        configAndVocab.write(0);
        configAndVocab.writeBytes(ModelFile.metadata(model).get("vocab").getBytes(StandardCharsets.UTF_8));
        Files.write(metadata.resolve("seed-model"), configAndVocab.toByteArray());

        Path safetensors = Files.createDirectories(root.resolve("SafeTensorsFuzzTestInputs/readsOrRefuses"));
        ModelFile.save(model, safetensors.resolve("seed-model.safetensors"));
    }

    /** Gzip whose deflate blocks are stored, not compressed: the content's bytes appear as they are. */
    private static byte[] storedGzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out) {
            {
                def.setLevel(Deflater.NO_COMPRESSION);
            }
        }) {
            gz.write(content);
        }
        return out.toByteArray();
    }
}
