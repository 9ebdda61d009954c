use sqlx::postgres::PgPool;

use crate::error::{Error, Result};
use crate::model::{Catalog, Filter};

pub async fn inspect(_pool: &PgPool, _filter: &Filter) -> Result<Catalog> {
    Err(Error::usage("not yet"))
}
