package dev.clipengine.cli;

import dev.clipengine.BadInputException;
import dev.clipengine.data.Example;
import dev.clipengine.data.ImageLoader;
import dev.clipengine.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Images named on a command line: files, or folders of PNG and JPEG files (in name order). */
final class ModelInputs {

    private ModelInputs() {
    }

    /** The image files the paths name, in the order given; a folder contributes its images sorted by name. */
    static List<Path> imageFiles(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> listing = Files.list(path)) {
                    listing.filter(ModelInputs::isImage).sorted().forEach(files::add);
                } catch (IOException e) {
                    throw new BadInputException(path + ": cannot list the folder (" + e.getMessage() + ")");
                }
            } else if (Files.isRegularFile(path)) {
                files.add(path);
            } else {
                throw new BadInputException(path + ": no such file or folder");
            }
        }
        return files;
    }

    /** Each file read at the model's image size and channels (docs/formats.md). */
    static List<Example> read(List<Path> files, ModelConfig config) {
        return read(files, config, dev.clipengine.data.LoadProgress.NONE);
    }

    /** As {@link #read(List, ModelConfig)}, telling progress after each file. */
    static List<Example> read(List<Path> files, ModelConfig config, dev.clipengine.data.LoadProgress progress) {
        List<Example> images = new ArrayList<>();
        for (Path file : files) {
            byte[] pixels = ImageLoader.read(file, config.imageSize(), config.channels(), config.resampling());
            images.add(new Example(pixels, config.channels(), config.imageSize(), file.getFileName().toString(), -1));
            progress.loaded(images.size(), files.size());
        }
        return images;
    }

    /** Reads one file at the model's image size and channels, for an {@link dev.clipengine.data.ImageStream}. */
    static java.util.function.Function<Path, Example> decoder(ModelConfig config) {
        return file -> new Example(ImageLoader.read(file, config.imageSize(), config.channels(), config.resampling()),
                config.channels(), config.imageSize(), file.getFileName().toString(), -1);
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file) && (name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg"));
    }
}
