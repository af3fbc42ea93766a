export { kvdb, type Db, type Item } from './kvdb.js'
