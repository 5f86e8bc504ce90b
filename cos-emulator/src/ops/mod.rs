//! COS operations, one file per family. Each uses the request context, SSE rules and object
//! I/O below it; none imports the router or the server.

pub mod append;
pub mod bucket;
pub mod copy;
pub mod multipart;
pub mod object;
pub mod post;
