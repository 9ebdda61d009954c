//! Introspection (to be written).

use sqlx::sqlite::SqlitePool;

use crate::error::{Error, Result};
use crate::model::{Catalog, Filter};

pub async fn inspect(_pool: &SqlitePool, _filter: &Filter) -> Result<Catalog> {
    Err(Error::usage("sqlite introspection is not written yet"))
}
