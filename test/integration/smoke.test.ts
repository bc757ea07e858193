import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { hello } from '#domain';
@Controller() class C { @Get('/x') x() { return { v: hello() }; } }
@Module({ controllers: [C] }) class M {}
it('boots', async () => {
  const m = await Test.createTestingModule({ imports: [M] }).compile();
  const app = m.createNestApplication(); await app.init();
  await request(app.getHttpServer()).get('/x').expect(200, { v: 'domain' });
  await app.close();
});
