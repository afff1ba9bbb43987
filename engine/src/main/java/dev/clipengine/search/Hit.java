package dev.clipengine.search;

/**
 * One search result.
 *
 * @param row   the image's row in the index
 * @param score the cosine similarity of the image's embedding and the query's
 */
public record Hit(int row, String path, float score) {}
