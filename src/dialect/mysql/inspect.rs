//! Introspection (to be written).

use sqlx::mysql::MySqlPool;

use crate::error::{Error, Result};
use crate::model::{Catalog, Filter};

pub async fn inspect(_pool: &MySqlPool, _filter: &Filter) -> Result<Catalog> {
    Err(Error::usage("mysql introspection is not written yet"))
}
