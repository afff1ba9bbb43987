package dev.clipengine.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Readers take regular files only. Opening a FIFO blocks until something writes to it, which may
 * be never; a device such as {@code /dev/zero} or {@code /dev/urandom} never ends; a socket cannot
 * be opened at all. None is data a user meant to give, so each is refused by name before it is
 * opened. (A symbolic link counts as what it points to.)
 */
public final class RegularFiles {

    /** The reason, for a reader's one-line error after the file's name. */
    public static final String NOT_REGULAR = "not a regular file (a FIFO, socket or device); only regular files are "
            + "read";

    private RegularFiles() {
    }

    /**
     * Whether {@code file} exists but is neither a regular file nor a folder. Missing and
     * unreadable paths answer false: the reader's own open reports them in its words.
     */
    public static boolean isSpecial(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return !attributes.isRegularFile() && !attributes.isDirectory();
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
