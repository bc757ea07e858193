import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { hello } from '#domain';

@Controller()
class C { @Get('/x') x() { return { v: hello() }; } }
@Module({ controllers: [C] })
class M {}
async function main() { const app = await NestFactory.create(M); await app.listen(8123); console.log('up'); }
main();
