//! COS operations, one file per family. Each uses the request context, SSE rules and object
//! I/O below it; none imports the router or the server.

/// Append Object.
pub mod append;
/// Bucket and service operations.
pub mod bucket;
/// PUT Object - Copy.
pub mod copy;
/// Multipart uploads.
pub mod multipart;
/// PUT/GET/HEAD/DELETE Object, ACL, restore.
pub mod object;
/// POST Object (form upload).
pub mod post;
