package dev.clipengine.bench.search;

import dev.clipengine.data.Example;
import dev.clipengine.data.IdxDataset;
import dev.clipengine.data.PairDataset;
import dev.clipengine.data.Resampling;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes the test images of an IDX data set ({@code fashion-mnist:DIR} or {@code mnist:DIR}) as
 * grey PNG files, {@code NNNNN-CLASS.png} (spaces in a class name as underscores), so that a folder of real images can be indexed and
 * searched, and a search's hits scored against their labels, which the names carry.
 *
 * <pre>java -cp benchmarks.jar dev.clipengine.bench.search.IdxToPngs fashion-mnist:DIR OUT_DIR</pre>
 */
public final class IdxToPngs {

    private IdxToPngs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: IdxToPngs fashion-mnist:DIR|mnist:DIR OUT_DIR");
            System.exit(2);
        }
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        PairDataset test = IdxDataset.loadTest(args[0], 28, 1, Resampling.BILINEAR);
        int written = 0;
        for (Example example : test.heldOut()) {
            BufferedImage image = new BufferedImage(example.size(), example.size(), BufferedImage.TYPE_BYTE_GRAY);
            image.getRaster().setDataElements(0, 0, example.size(), example.size(), example.pixels());
            String label = test.classNames().get(example.label()).replace(' ', '_');
            ImageIO.write(image, "png", out.resolve(String.format(Locale.ROOT, "%05d-%s.png", written, label)).toFile());
            written++;
        }
        System.out.println(written + " PNG files written to " + out);
    }

    /** The class name a file written here carries: {@code 00042-ankle_boot.png} gives {@code ankle boot}. */
    static String labelOf(String path) {
        String name = Path.of(path).getFileName().toString();
        return name.substring(name.indexOf('-') + 1, name.lastIndexOf('.')).replace('_', ' ');
    }
}
