package dev.clipengine.blas;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Set;

/**
 * A folder only the current user can write, for native libraries that are about to be loaded: if
 * another user could write in it, they could swap a library between its check and its loading and
 * run their code in this process. A folder is created owner-only ({@code rwx------}); an existing
 * one of ours that others can write is made owner-only again (the caller checks every file in it
 * before loading, whatever happened before); one owned by someone else is refused, since it cannot
 * be made safe. File systems without POSIX permissions (Windows) have no such check here.
 */
final class PrivateFolder {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> WRITE_BY_OTHERS =
            EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);

    private PrivateFolder() {
    }

    /**
     * Makes {@code folder} exist and be writable by this user alone.
     *
     * @throws IllegalStateException when the folder belongs to another user or is not a folder
     */
    static void prepare(Path folder) throws IOException {
        boolean posix = Files.getFileStore(existingAncestor(folder)).supportsFileAttributeView(
                PosixFileAttributeView.class);
        if (!Files.exists(folder)) {
            Files.createDirectories(folder.getParent());
            try {
                if (posix) {
                    Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } else {
                    Files.createDirectory(folder);
                }
                return;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another JVM created it at the same moment: check it as any existing folder
            }
        }
        if (!posix) {
            return;
        }
        PosixFileAttributes attributes = Files.readAttributes(folder, PosixFileAttributes.class);
        if (!attributes.isDirectory()) {
            throw new IllegalStateException(folder + " is not a folder; remove it, or give another cache with -D"
                    + OpenBlasLibrary.CACHE_PROPERTY);
        }
        UserPrincipal me = currentUser();
        if (!attributes.owner().equals(me)) {
            throw new IllegalStateException(folder + " belongs to " + attributes.owner().getName() + ", not to "
                    + me.getName() + "; its libraries are not loaded (remove it, or give another cache with -D"
                    + OpenBlasLibrary.CACHE_PROPERTY + ")");
        }
        if (attributes.permissions().stream().anyMatch(WRITE_BY_OTHERS::contains)) {
            Files.setPosixFilePermissions(folder, OWNER_ONLY);
        }
    }

    /** Whether a file in the folder is one this user alone can write (always, without POSIX permissions). */
    static boolean isPrivate(Path file) throws IOException {
        if (!Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return true;
        }
        PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS);
        return attributes.isRegularFile() && attributes.owner().equals(currentUser())
                && attributes.permissions().stream().noneMatch(WRITE_BY_OTHERS::contains);
    }

    private static UserPrincipal currentUser() throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name"));
    }

    private static Path existingAncestor(Path folder) {
        Path existing = folder.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        return existing == null ? folder.toAbsolutePath().getRoot() : existing;
    }
}
