// The tables of mastery records, written once for SQLite and PostgreSQL with Kysely's schema
// builder: educators, observations with their ratings and shares, assessments with their
// shares, the badges awarded from recorded evidence with exactly what each counted, and the
// frameworks a program loaded. Dates are ISO 8601 text (calendar dates YYYY-MM-DD), as in the
// rest of the store; `mastery_awards.award_id` is the award (awards.id).
import { sql, type Kysely } from 'kysely';

export interface EducatorTables {
  educators: {
    id: string;
    name: string;
    email: string | null;
    did: string | null;
    external_id: string | null;
    cohort: string | null;
    created_at: string;
  };
  observations: {
    id: string;
    educator_id: string;
    date: string;
    observer: string;
    setting: string | null;
    narrative: string | null;
    url: string | null;
    recorded_at: string;
    withdrawn_at: string | null;
    withdrawn_reason: string | null;
  };
  ratings: {
    observation_id: string;
    achievement: string;
    level: string;
    narrative: string | null;
  };
  observation_shares: { observation_id: string; educator_id: string };
  assessments: {
    id: string;
    educator_id: string;
    name: string;
    date: string;
    score: number;
    max_score: number;
    recorded_at: string;
    withdrawn_at: string | null;
  };
  assessment_achievements: { assessment_id: string; achievement: string };
  assessment_shares: { assessment_id: string; educator_id: string };
  mastery_awards: {
    award_id: string;
    educator_id: string;
    achievement: string;
    level: string;
    created_at: string;
  };
  mastery_award_observations: { award_id: string; observation_id: string };
  mastery_award_assessments: { award_id: string; assessment_id: string };
  frameworks: {
    code: string;
    /** 'educred' or 'case' */
    kind: string;
    document_json: string;
    rules_json: string | null;
    created_at: string;
  };
}

/** Creates the tables (one migration of the store's history). */
export async function createEducatorTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('educators')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('did', 'text')
    .addColumn('external_id', 'text', (c) => c.unique())
    .addColumn('cohort', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('educators_by_cohort').on('educators').columns(['cohort', 'created_at', 'id']).execute();
  await db.schema.createIndex('educators_by_email').on('educators').column('email').execute();
  await db.schema.createIndex('educators_listing').on('educators').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('observations')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('educator_id', 'varchar(36)', (c) => c.notNull().references('educators.id'))
    .addColumn('date', 'varchar(10)', (c) => c.notNull())
    .addColumn('observer', 'text', (c) => c.notNull())
    .addColumn('setting', 'varchar(20)')
    .addColumn('narrative', 'text')
    .addColumn('url', 'text')
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text')
    .addColumn('withdrawn_reason', 'text')
    .addCheckConstraint('observations_setting', sql`setting IS NULL OR setting IN ('in-person', 'online', 'blended')`)
    .execute();
  await db.schema.createIndex('observations_by_educator').on('observations').columns(['educator_id', 'date']).execute();

  await db.schema
    .createTable('ratings')
    .addColumn('observation_id', 'varchar(36)', (c) => c.notNull().references('observations.id'))
    .addColumn('achievement', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('narrative', 'text')
    .addPrimaryKeyConstraint('ratings_pk', ['observation_id', 'achievement'])
    .execute();

  await db.schema
    .createTable('observation_shares')
    .addColumn('observation_id', 'varchar(36)', (c) => c.notNull().references('observations.id'))
    .addColumn('educator_id', 'varchar(36)', (c) => c.notNull().references('educators.id'))
    .addPrimaryKeyConstraint('observation_shares_pk', ['observation_id', 'educator_id'])
    .execute();
  await db.schema.createIndex('observation_shares_by_educator').on('observation_shares').column('educator_id').execute();

  await db.schema
    .createTable('assessments')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('educator_id', 'varchar(36)', (c) => c.notNull().references('educators.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('date', 'varchar(10)', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('max_score', 'double precision', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addColumn('withdrawn_at', 'text')
    .addCheckConstraint('assessments_score', sql`max_score > 0 AND score >= 0 AND score <= max_score`)
    .execute();
  await db.schema.createIndex('assessments_by_educator').on('assessments').columns(['educator_id', 'date']).execute();

  await db.schema
    .createTable('assessment_achievements')
    .addColumn('assessment_id', 'varchar(36)', (c) => c.notNull().references('assessments.id'))
    .addColumn('achievement', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('assessment_achievements_pk', ['assessment_id', 'achievement'])
    .execute();

  await db.schema
    .createTable('assessment_shares')
    .addColumn('assessment_id', 'varchar(36)', (c) => c.notNull().references('assessments.id'))
    .addColumn('educator_id', 'varchar(36)', (c) => c.notNull().references('educators.id'))
    .addPrimaryKeyConstraint('assessment_shares_pk', ['assessment_id', 'educator_id'])
    .execute();
  await db.schema.createIndex('assessment_shares_by_educator').on('assessment_shares').column('educator_id').execute();

  // One automatic badge per educator, achievement and level, ever: a revoked one is not re-made by itself.
  await db.schema
    .createTable('mastery_awards')
    .addColumn('award_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('educator_id', 'varchar(36)', (c) => c.notNull().references('educators.id'))
    .addColumn('achievement', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('mastery_awards_one_per_level', ['educator_id', 'achievement', 'level'])
    .execute();

  await db.schema
    .createTable('mastery_award_observations')
    .addColumn('award_id', 'varchar(36)', (c) => c.notNull().references('mastery_awards.award_id'))
    .addColumn('observation_id', 'varchar(36)', (c) => c.notNull().references('observations.id'))
    .addPrimaryKeyConstraint('mastery_award_observations_pk', ['award_id', 'observation_id'])
    .execute();
  await db.schema.createIndex('mastery_award_observations_by_observation').on('mastery_award_observations').column('observation_id').execute();

  await db.schema
    .createTable('mastery_award_assessments')
    .addColumn('award_id', 'varchar(36)', (c) => c.notNull().references('mastery_awards.award_id'))
    .addColumn('assessment_id', 'varchar(36)', (c) => c.notNull().references('assessments.id'))
    .addPrimaryKeyConstraint('mastery_award_assessments_pk', ['award_id', 'assessment_id'])
    .execute();

  await db.schema
    .createTable('frameworks')
    .addColumn('code', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('document_json', 'text', (c) => c.notNull())
    .addColumn('rules_json', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}
