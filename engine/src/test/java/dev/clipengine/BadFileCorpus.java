package dev.clipengine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the committed corpus of bad files (src/test/resources/dev/clipengine/bad-files, described
 * in its README), so that each can be made again or changed:
 * {@code java -cp engine/target/test-classes dev.clipengine.BadFileCorpus FOLDER}.
 */
public final class BadFileCorpus {

    /**
     * The size the gzip files are padded to: the readers check a header's claim against what a gzip
     * file of its size can hold (1100 bytes a byte), and 600 KB can hold 660 MB, more than a JVM of
     * 512 MB can allocate.
     */
    static final int PADDED_SIZE = 600_000;

    private BadFileCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Path folder = Path.of(args[0]);
        Files.createDirectories(folder);
        Random random = new Random(600);

        byte[] labels = ByteBuffer.allocate(8 + 4096).putInt(0x801).putInt(600_000_000).array();
        randomFrom(random, labels, 8);
        Files.write(folder.resolve("labels-600m.idx.gz"), paddedGzip(labels));

        byte[] images = ByteBuffer.allocate(16 + 4096).putInt(0x803).putInt(600_000_000).putInt(1).putInt(1).array();
        randomFrom(random, images, 16);
        Files.write(folder.resolve("images-600m-1x1.idx.gz"), paddedGzip(images));

        // a million 300-value vectors claimed (1.2 GB), one given
        StringBuilder text = new StringBuilder("1000000 300\nthe");
        ByteBuffer vector = ByteBuffer.allocate(4 * 300).order(ByteOrder.LITTLE_ENDIAN);
        for (int v = 0; v < 300; v++) {
            float value = (float) Math.round(random.nextGaussian() * 1000) / 1000;
            text.append(' ').append(value);
            vector.putFloat(value);
        }
        Files.write(folder.resolve("vectors-1m-claimed.txt.gz"),
                paddedGzip(text.append('\n').toString().getBytes(StandardCharsets.UTF_8)));
        ByteArrayOutputStream binary = new ByteArrayOutputStream();
        binary.writeBytes("1000000 300\nthe ".getBytes(StandardCharsets.UTF_8));
        binary.writeBytes(vector.array());
        binary.write('\n');
        Files.write(folder.resolve("vectors-1m-claimed.bin.gz"), paddedGzip(binary.toByteArray()));

        Files.writeString(folder.resolve("fifo.tsv"), "filepath\ttitle\npipe.png\ta pipe that never ends\n");
        Files.writeString(folder.resolve("device.tsv"), "filepath\ttitle\n/dev/zero\tzeros that never end\n");

        // 10,000 x 10,000 grey: 100 MB decoded from 97 KB; the TSV names it 6 times
        LargePng.write(folder.resolve("large.png"), 10_000, 10_000, LargePng.GREY, 8);
        Files.writeString(folder.resolve("six-large-images.tsv"),
                "filepath\ttitle\n" + "large.png\ta large empty picture\n".repeat(6));
    }

    private static void randomFrom(Random random, byte[] bytes, int from) {
        byte[] tail = new byte[bytes.length - from];
        random.nextBytes(tail);
        System.arraycopy(tail, 0, bytes, from, tail.length);
    }

    /**
     * The content gzip-compressed, then spaces up to {@link #PADDED_SIZE}: gzip readers stop at the
     * end of the compressed stream and ignore what follows, so the file is as large as a hostile
     * one yet stored in a few kilobytes.
     */
    private static byte[] paddedGzip(byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(content);
        }
        byte[] padded = Arrays.copyOf(out.toByteArray(), PADDED_SIZE);
        Arrays.fill(padded, out.size(), PADDED_SIZE, (byte) ' ');
        return padded;
    }
}
