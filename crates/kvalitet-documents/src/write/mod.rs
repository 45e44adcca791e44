//! The format writers, each reading only the intermediate model.

pub mod docx;
pub mod html;
pub mod pdf;
mod world;
