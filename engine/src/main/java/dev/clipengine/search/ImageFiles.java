package dev.clipengine.search;

import dev.clipengine.BadInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The PNG and JPEG files under folders, with what tells a changed file from an unchanged one. */
public final class ImageFiles {

    private ImageFiles() {
    }

    /**
     * A file as found on disk.
     *
     * @param path          absolute and normalised
     * @param modifiedNanos modification time in nanoseconds since 1970
     */
    public record Found(String path, long size, long modifiedNanos) {}

    /** The folders as absolute, normalised paths; each must be a folder. */
    public static List<Path> folders(List<Path> given) {
        List<Path> folders = new ArrayList<>();
        for (Path folder : given) {
            if (!Files.isDirectory(folder)) {
                throw new BadInputException(folder + ": " + (Files.exists(folder) ? "not a folder" : "no such folder"));
            }
            folders.add(folder.toAbsolutePath().normalize());
        }
        return folders;
    }

    /** Every image file under the folders, at any depth, in path order, each once. */
    public static List<Found> under(List<Path> folders) {
        List<Found> found = new ArrayList<>();
        for (Path folder : folders) {
            try (Stream<Path> walk = Files.walk(folder)) {
                walk.filter(ImageFiles::isImageName).forEach(file -> {
                    try {
                        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                        if (attributes.isRegularFile()) {
                            found.add(new Found(file.toString(), attributes.size(),
                                    attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS)));
                        }
                    } catch (IOException e) {
                        // a file gone between listing and reading: it is simply not there any more
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                throw new BadInputException(folder + ": cannot list the folder (" + e.getMessage() + ")");
            }
        }
        return found.stream().sorted(Comparator.comparing(Found::path)).distinct().toList();
    }

    /** True when {@code path} is one of the folders or lies under one. */
    public static boolean isUnder(String path, List<Path> folders) {
        Path file = Path.of(path);
        return folders.stream().anyMatch(file::startsWith);
    }

    private static boolean isImageName(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".png") || name.endsWith(".jpg") || name.endsWith(".jpeg");
    }
}
