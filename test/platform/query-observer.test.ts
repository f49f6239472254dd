import { describe, expect, it } from 'vitest';
import { statementName } from '../../src/platform/db/query-observer.js';

describe('statementName', () => {
  it.each([
    ['select "id", "name" from "accounts" where "accounts"."user_id" = $1', 'select accounts'],
    ['insert into "executions" ("id") values ($1)', 'insert executions'],
    ['update "trades" set "notes" = $1 where "id" = $2', 'update trades'],
    ['delete from "trade_tags" where "trade_id" = $1', 'delete trade_tags'],
    ['with x as (select 1) select * from trades', 'with select trades'],
    ['with recursive k (d) as (select unnest($1::date[])), g as materialized (select \'(\' from "x") delete from "daily_aggregates" a using k', 'with delete daily_aggregates'],
    ['with staged as (select * from import_staging) insert into "executions" (id) select id from staged', 'with insert executions'],
    ['with "a(" as (select 1) update trades set x = 1', 'with update trades'],
    ['with x as (select 1', 'with'],
    ['select 1', 'select'],
    ['begin', 'begin'],
  ])('names %s as %s, without parameters', (sql, name) => {
    expect(statementName(sql)).toBe(name);
  });
});
