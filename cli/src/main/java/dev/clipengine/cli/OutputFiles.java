package dev.clipengine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clipengine.BadInputException;
import dev.clipengine.io.AtomicFiles;
import dev.clipengine.io.ModelFile;
import dev.clipengine.model.ClipModel;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/** Where a command writes: checked before the work starts, written whole or not at all. */
final class OutputFiles {

    private OutputFiles() {
    }

    /**
     * Creates the file's folder and proves it writable by creating and deleting a file in it, so
     * that a long run never ends unable to save. Returns the path.
     */
    static Path requireWritable(Path file, String flag) {
        if (file.toString().isBlank()) {
            throw new BadInputException(flag + " is empty; give a file name");
        }
        if (Files.isDirectory(file)) {
            throw new BadInputException(flag + " " + file + " is a folder; give a file name");
        }
        Path folder = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(folder);
            Path probe = Files.createTempFile(folder, ".clip-engine-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new BadInputException(flag + " " + file + ": cannot write in " + folder + " (" + reason(e) + ")");
        }
        return file;
    }

    /** A new folder {@code runs/<date>-<time>}, with a suffix when another run took that name. */
    static Path newRunFolder() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path runs = Path.of("runs");
        try {
            Files.createDirectories(runs);
            for (int attempt = 1; ; attempt++) {
                Path folder = runs.resolve(attempt == 1 ? stamp : stamp + "-" + attempt);
                try {
                    // createDirectory fails if it exists: two runs never share a folder
                    return Files.createDirectory(folder);
                } catch (FileAlreadyExistsException taken) {
                    // another run started in the same second: try the next name
                }
            }
        } catch (IOException e) {
            throw new BadInputException("cannot create a run folder in " + runs.toAbsolutePath() + " (" + reason(e)
                    + "); give --out");
        }
    }

    static void save(ClipModel model, Path file) {
        try {
            ModelFile.save(model, file);
        } catch (IOException e) {
            throw new BadInputException("cannot save the model to " + file + " (" + reason(e) + ")");
        }
    }

    /** Writes JSON beside the target, then renames it over: readers never see half a file. */
    static void writeJson(Path file, Map<String, Object> json) {
        try {
            AtomicFiles.write(file, temporary -> new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(temporary.toFile(), json));
        } catch (IOException e) {
            throw new BadInputException("cannot write " + file + " (" + reason(e) + ")");
        }
    }

    /** What went wrong in words: the file system's reason, not the exception's class. */
    private static String reason(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        String message = e.getMessage();
        return message == null ? "I/O error" : message.lines().findFirst().orElse("I/O error");
    }
}
