package dev.clipengine.api;

/**
 * A candidate found near a query.
 *
 * @param index  the candidate's position in the list searched
 * @param cosine its cosine similarity with the query
 */
public record Match(int index, double cosine) {
}
